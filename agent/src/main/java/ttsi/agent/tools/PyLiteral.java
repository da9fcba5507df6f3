package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import ttsi.jinja.Py;

/**
 * Python values as Jackson nodes: reading Python literals ({@code ast.literal_eval}'s subset) and printing
 * values as Python's {@code str()} and {@code repr()} would. The benchmark scripts compare {@code str(value)},
 * so scoring depends on these being exact. Strings and floats print through jinja's {@link Py}, the one
 * implementation of Python's repr in ttsi.
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
            sb.append(Py.floatRepr(v.doubleValue()));
        } else if (v.isTextual()) {
            sb.append(Py.strRepr(v.textValue()));
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
                sb.append(Py.strRepr(e.getKey()));
                sb.append(": ");
                repr(e.getValue(), sb);
            }
            sb.append('}');
        } else {
            sb.append(Py.strRepr(v.asText()));
        }
    }
}
