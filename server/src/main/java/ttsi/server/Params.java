package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reading request fields with OpenAI-style messages for wrong types and ranges. */
final class Params {
    private Params() {}

    static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    static double number(JsonNode body, String name, double dflt, double min, double max) {
        JsonNode n = body.get(name);
        if (absent(n)) return dflt;
        if (!n.isNumber()) throw ApiError.invalid(name, "'" + name + "' must be a number, got " + kind(n) + ".");
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) throw ApiError.invalid(name, "'" + name + "' must be between " + fmt(min) + " and " + fmt(max) + ", got " + n + ".");
        return v;
    }

    /** An integer, or dflt when absent; Integer.MIN_VALUE as dflt means "no default" (returned as is). */
    static long integer(JsonNode body, String name, long dflt, long min, long max) {
        JsonNode n = body.get(name);
        if (absent(n)) return dflt;
        if (!n.isIntegralNumber() && !(n.isNumber() && n.doubleValue() == Math.rint(n.doubleValue()))) {
            throw ApiError.invalid(name, "'" + name + "' must be an integer, got " + kind(n) + ".");
        }
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw ApiError.invalid(name, "'" + name + "' must be between " + min + " and " + max + ", got " + n + ".");
        }
        return n.longValue();
    }

    static boolean bool(JsonNode body, String name, boolean dflt) {
        JsonNode n = body.get(name);
        if (absent(n)) return dflt;
        if (!n.isBoolean()) throw ApiError.invalid(name, "'" + name + "' must be a boolean, got " + kind(n) + ".");
        return n.booleanValue();
    }

    static String text(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (absent(n)) return null;
        if (!n.isTextual()) throw ApiError.invalid(name, "'" + name + "' must be a string, got " + kind(n) + ".");
        return n.textValue();
    }

    /** stop: a string or a list of up to 4 strings. */
    static List<String> stop(JsonNode body) {
        JsonNode n = body.get("stop");
        List<String> out = new ArrayList<>();
        if (absent(n)) return out;
        if (n.isTextual()) {
            if (!n.textValue().isEmpty()) out.add(n.textValue());
            return out;
        }
        if (!n.isArray()) throw ApiError.invalid("stop", "'stop' must be a string or a list of strings, got " + kind(n) + ".");
        if (n.size() > 4) throw ApiError.invalid("stop", "'stop' may hold at most 4 sequences, got " + n.size() + ".");
        for (JsonNode s : n) {
            if (!s.isTextual()) throw ApiError.invalid("stop", "each 'stop' sequence must be a string, got " + kind(s) + ".");
            if (!s.textValue().isEmpty()) out.add(s.textValue());
        }
        return out;
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        if (n.isTextual()) return "a string";
        if (n.isBoolean()) return "a boolean";
        if (n.isNumber()) return "a number";
        if (n.isArray()) return "an array";
        if (n.isObject()) return "an object";
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
