package ttsi.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts Jackson trees to template values the way Python's json.load builds them. */
public final class JsonValues {
    private JsonValues() {}

    /**
     * Objects become LinkedHashMap (key order kept), arrays ArrayList, integers Long (BigInteger when larger),
     * other numbers Double, null and missing nodes null.
     */
    public static Object fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            for (JsonNode x : n) out.add(fromJson(x));
            return out;
        }
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), fromJson(e.getValue()));
            }
            return out;
        }
        if (n.isBinary()) throw new IllegalArgumentException("binary JSON nodes have no template value");
        return n.asText();
    }
}
