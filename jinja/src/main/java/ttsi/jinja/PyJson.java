package ttsi.jinja;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, byte for byte: separators
 * {@code ", "}/{@code ": "} (item separator {@code ","} once indent is given), floats as Python repr,
 * NaN/Infinity, keys converted to strings, and non-ASCII kept unless ensure_ascii.
 */
public final class PyJson {
    private PyJson() {}

    /** json.dumps with Python's defaults except ensure_ascii=False (what transformers' tojson uses). */
    public static String dumps(Object value) {
        return dumps(Py.normalize(value), false, null, null, false);
    }

    /** json.dumps with ensure_ascii chosen (True is Python's default). */
    public static String dumps(Object value, boolean ensureAscii) {
        return dumps(Py.normalize(value), ensureAscii, null, null, false);
    }

    /** Python's repr(float): shortest round-trip digits, as Python prints floats. */
    public static String floatRepr(double d) {
        return Py.floatRepr(d);
    }

    /**
     * @param indent null, an int (spaces; negative means none) or a string
     * @param separators null or a 2-element list/tuple (item separator, key separator)
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String indentStr = null;
        if (indent instanceof String s) indentStr = s;
        else if (indent != null && Py.isInt(indent)) indentStr = " ".repeat((int) Math.max(0, Py.toLong(indent, "indent")));
        else if (indent != null) throw TemplateException.type("can't multiply sequence by non-int of type '"
                + Py.typeName(indent) + "'");
        String itemSep = indentStr != null ? "," : ", ", keySep = ": ";
        if (separators != null) {
            List<Object> seps = Py.iterate(separators);
            if (seps.size() != 2) {
                throw TemplateException.value("too many values to unpack (expected 2)");
            }
            itemSep = Py.str(seps.get(0));
            keySep = Py.str(seps.get(1));
        }
        StringBuilder sb = new StringBuilder();
        new PyJson.Writer(sb, ensureAscii, indentStr, itemSep, keySep, sortKeys).write(value, 0);
        return sb.toString();
    }

    private record Writer(StringBuilder sb, boolean ascii, String indent, String itemSep, String keySep,
                          boolean sortKeys) {
        void write(Object v, int level) {
            if (v == null) sb.append("null");
            else if (v instanceof Boolean b) sb.append(b ? "true" : "false");
            else if (v instanceof Long || v instanceof BigInteger) sb.append(v);
            else if (v instanceof Double d) sb.append(floatJson(d));
            else if (v instanceof String s) string(s);
            else if (v instanceof List<?> l) array(l, level);
            else if (v instanceof PyTuple t) array(t.items(), level);
            else if (v instanceof Map<?, ?> m) object(m, level);
            else throw TemplateException.type("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }

        private void newline(int level) {
            if (indent != null) sb.append('\n').append(indent.repeat(level));
        }

        private void array(List<?> l, int level) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            newline(level + 1);
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(itemSep);
                    newline(level + 1);
                }
                write(l.get(i), level + 1);
            }
            newline(level);
            sb.append(']');
        }

        private void object(Map<?, ?> m, int level) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            List<Map.Entry<String, Object>> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) entries.add(Map.entry(key(e.getKey()), e.getValue() == null
                    ? NULL : e.getValue()));
            if (sortKeys) entries.sort((a, b) -> Py.compareCodePoints(a.getKey(), b.getKey()));
            sb.append('{');
            newline(level + 1);
            boolean first = true;
            for (Map.Entry<String, Object> e : entries) {
                if (!first) {
                    sb.append(itemSep);
                    newline(level + 1);
                }
                first = false;
                string(e.getKey());
                sb.append(keySep);
                write(e.getValue() == NULL ? null : e.getValue(), level + 1);
            }
            newline(level);
            sb.append('}');
        }

        private static String key(Object k) {
            if (k instanceof String s) return s;
            if (k == null) return "null";
            if (k instanceof Boolean b) return b ? "true" : "false";
            if (k instanceof Long || k instanceof BigInteger) return k.toString();
            if (k instanceof Double d) return floatJson(d);
            throw TemplateException.type("keys must be str, int, float, bool or None, not " + Py.typeName(k));
        }

        private void string(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        if (c < 0x20 || (ascii && c > 0x7e)) sb.append(String.format("\\u%04x", (int) c));
                        else sb.append(c);
                    }
                }
            }
            sb.append('"');
        }
    }

    private static final Object NULL = new Object();

    private static String floatJson(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return Py.floatRepr(d);
    }
}
