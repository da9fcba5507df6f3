package ttsi.api;

import java.util.Locale;

/**
 * When the agent adapts to a request before answering it.
 *
 * <ul>
 *   <li>{@link #OFF}: never. The base model answers (its uncertainty is still measured and reported).</li>
 *   <li>{@link #AUTO}: when the request is uncertain (top-2 margin over the request's tools below τ): the paper's
 *       TT-SI, or TT-D when a {@link Teacher} is set.</li>
 *   <li>{@link #FORCE}: on every request, whatever the uncertainty (the method's "all" variant; the
 *       {@link Teacher} writes the pairs when one is set: a forced TT-D).</li>
 * </ul>
 */
public enum Mode {
    OFF, AUTO, FORCE;

    /** Reads off, auto or force (case-insensitive). */
    public static Mode of(String s) {
        if (s == null) throw new IllegalArgumentException("mode: expected off, auto or force, got null");
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "off" -> OFF;
            case "auto" -> AUTO;
            case "force" -> FORCE;
            default -> throw new IllegalArgumentException("mode: expected off, auto or force, got '" + s + "'");
        };
    }

    /** off, auto or force. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
