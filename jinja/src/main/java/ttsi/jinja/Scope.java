package ttsi.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables of one frame. jinja2 gives each for-loop iteration, macro call and block body its own frame:
 * assignments stay in it, reads fall through to the enclosing frames. {@code if} has no frame of its own.
 */
final class Scope {
    final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    /** The value, or {@link Py#MISSING}. */
    Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object v = s.vars.getOrDefault(name, Py.MISSING);
            if (v != Py.MISSING) return v;
        }
        return Py.MISSING;
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
