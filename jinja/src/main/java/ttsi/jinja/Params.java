package ttsi.jinja;

import java.util.List;
import java.util.Map;

/** Binds call arguments to named parameters the way Python does for builtins and jinja2 filters. */
final class Params {
    private Params() {}

    static final Object REQUIRED = new Object();

    /**
     * spec alternates parameter name and default ({@link #REQUIRED} if none). Returns the values in order.
     */
    static Object[] bind(String fn, List<Object> args, Map<String, Object> kw, Object... spec) {
        int n = spec.length / 2;
        Object[] out = new Object[n];
        if (args.size() > n) {
            throw TemplateException.type(fn + "() takes at most " + n + " argument" + (n == 1 ? "" : "s") + " ("
                    + args.size() + " given)");
        }
        for (Map.Entry<String, Object> e : kw.entrySet()) {
            int i = indexOf(spec, e.getKey());
            if (i < 0) throw TemplateException.type(fn + "() got an unexpected keyword argument '" + e.getKey() + "'");
            if (i < args.size()) throw TemplateException.type(fn + "() got multiple values for argument '" + e.getKey() + "'");
        }
        for (int i = 0; i < n; i++) {
            String name = (String) spec[2 * i];
            if (i < args.size()) out[i] = args.get(i);
            else if (kw.containsKey(name)) out[i] = kw.get(name);
            else if (spec[2 * i + 1] == REQUIRED) {
                throw TemplateException.type(fn + "() missing required argument '" + name + "'");
            } else out[i] = spec[2 * i + 1];
        }
        return out;
    }

    private static int indexOf(Object[] spec, String name) {
        for (int i = 0; i < spec.length / 2; i++) if (spec[2 * i].equals(name)) return i;
        return -1;
    }
}
