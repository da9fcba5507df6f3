package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The one check of a tool's parameters, for every way a tool comes in (the server's requests, the embeddable API): a
 * JSON-schema object of type "object" whose properties are schemas (objects, or JSON Schema's {@code true}/{@code false})
 * with a string or list {@code type}, and whose {@code required} names some of those properties.
 */
public final class ParameterSchema {
    private ParameterSchema() {}

    /** What is wrong and where: {@code path} is relative to the parameters ("" for the whole, ".properties.city", ".required"). */
    public static final class Invalid extends IllegalArgumentException {
        private final String path;

        Invalid(String path, String message) {
            super(message);
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    /** Throws {@link Invalid} for the first problem found. */
    public static void check(JsonNode p) {
        if (!p.isObject()) throw new Invalid("", "expected a JSON-schema object, got " + kind(p));
        JsonNode type = p.get("type");
        if (type != null && !(type.isTextual() && type.textValue().equals("object"))) {
            throw new Invalid(".type", "the arguments schema must be of type \"object\", got " + type);
        }
        JsonNode props = p.get("properties");
        if (!absent(props)) {
            if (!props.isObject()) throw new Invalid(".properties", "expected a JSON object, got " + kind(props));
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isObject() && !e.getValue().isBoolean()) {
                    throw new Invalid(".properties." + e.getKey(), "expected a JSON-schema object, got " + kind(e.getValue()));
                }
                JsonNode pt = e.getValue().get("type");
                if (pt != null && !pt.isTextual() && !pt.isArray()) {
                    throw new Invalid(".properties." + e.getKey() + ".type", "expected a type name or a list of them, got " + kind(pt));
                }
            }
        }
        JsonNode required = p.get("required");
        if (!absent(required)) {
            if (!required.isArray()) throw new Invalid(".required", "expected an array of property names, got " + kind(required));
            for (JsonNode r : required) {
                if (!r.isTextual()) throw new Invalid(".required", "expected property names, got " + r);
                if (absent(props) || !props.has(r.textValue())) throw new Invalid(".required", "'" + r.textValue() + "' is not one of the properties");
            }
        }
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull();
    }

    /** A JSON value's kind in words ("string", "array", "nothing"). */
    public static String kind(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
