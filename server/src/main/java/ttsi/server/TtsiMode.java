package ttsi.server;

import java.util.Locale;

/** Per-request TT-SI: off, auto (adapt when the estimator finds the request uncertain) or force (adapt whatever it finds). */
public enum TtsiMode {
    OFF, AUTO, FORCE;

    /** Reads off/auto/force (and boolean-like words); where names the field for the error. */
    public static TtsiMode of(String s, String where) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "off", "false", "no", "0", "none" -> OFF;
            case "auto", "on", "true", "yes", "1" -> AUTO;
            case "force", "always" -> FORCE;
            default -> throw ApiError.invalid(where, "TT-SI mode must be off, auto or force, got '" + s + "'.");
        };
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
