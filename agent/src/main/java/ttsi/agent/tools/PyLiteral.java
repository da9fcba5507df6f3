package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Python values as Jackson nodes: reading Python literals ({@code ast.literal_eval}'s subset) and printing
 * values as Python's {@code str()} and {@code repr()} would. The benchmark scripts compare {@code str(value)},
 * so scoring depends on these being exact.
 */
public final class PyLiteral {
    private PyLiteral() {}

    /** Parses one Python (or JSON) literal; the whole text must be consumed. */
    public static JsonNode parse(String text) {
        PyParser p = new PyParser(text, 0, false);
        try {
            JsonNode v = p.literal();
            if (!p.atEnd()) throw p.fail("unexpected text after the value: " + p.describe());
            return v;
        } catch (PyParser.Failure f) {
            throw new IllegalArgumentException("not a Python literal: " + f.getMessage(), f);
        }
    }

    /** Like {@link #parse} but returns null when the text is not a literal. */
    public static JsonNode tryParse(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Python's {@code str(value)}: strings print raw, everything else as repr. */
    public static String str(JsonNode v) {
        if (v != null && v.isTextual()) return v.textValue();
        return repr(v);
    }

    /** Python's {@code repr(value)} for the value json.loads would have produced. */
    public static String repr(JsonNode v) {
        StringBuilder sb = new StringBuilder();
        repr(v, sb);
        return sb.toString();
    }

    private static void repr(JsonNode v, StringBuilder sb) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            sb.append("None");
        } else if (v.isBoolean()) {
            sb.append(v.booleanValue() ? "True" : "False");
        } else if (v.isIntegralNumber()) {
            sb.append(v.bigIntegerValue());
        } else if (v.isNumber()) {
            sb.append(Json.pythonFloatRepr(v.doubleValue()));
        } else if (v.isTextual()) {
            reprString(v.textValue(), sb);
        } else if (v.isArray()) {
            sb.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) sb.append(", ");
                repr(v.get(i), sb);
            }
            sb.append(']');
        } else if (v.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!first) sb.append(", ");
                first = false;
                reprString(e.getKey(), sb);
                sb.append(": ");
                repr(e.getValue(), sb);
            }
            sb.append('}');
        } else {
            reprString(v.asText(), sb);
        }
    }

    /** Python's string repr: single quotes unless the text has ' and no ". */
    static void reprString(String s, StringBuilder sb) {
        char q = (s.indexOf('\'') >= 0 && s.indexOf('"') < 0) ? '"' : '\'';
        sb.append(q);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == q || cp == '\\') sb.append('\\').appendCodePoint(cp);
            else if (cp == '\n') sb.append("\\n");
            else if (cp == '\r') sb.append("\\r");
            else if (cp == '\t') sb.append("\\t");
            else if (cp < 0x20 || cp == 0x7f) sb.append(String.format("\\x%02x", cp));
            else if (cp < 0x7f || isPrintable(cp)) sb.appendCodePoint(cp);
            else if (cp <= 0xff) sb.append(String.format("\\x%02x", cp));
            else if (cp <= 0xffff) sb.append(String.format("\\u%04x", cp));
            else sb.append(String.format("\\U%08x", cp));
        }
        sb.append(q);
    }

    /** Python's str.isprintable for one non-ASCII code point (categories C*, Z* except space are not). */
    private static boolean isPrintable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                    Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
