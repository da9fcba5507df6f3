package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import ttsi.agent.json.Json;

/** Maps the type words of the benchmark formats (Python's, BFCL's, ToolAlpaca's) to JSON-schema types. */
public final class SchemaTypes {
    private SchemaTypes() {}

    /** The JSON-schema word for a source type word, or the word itself when it is not recognised. */
    public static String jsonSchemaType(String t) {
        if (t == null) return null;
        String w = t.strip();
        String lower = w.toLowerCase(Locale.ROOT);
        if (lower.startsWith("optional[") && lower.endsWith("]")) return jsonSchemaType(w.substring(9, w.length() - 1));
        if (lower.startsWith("list[") || lower.startsWith("array[") || lower.startsWith("tuple[") || lower.startsWith("set[")) return "array";
        if (lower.startsWith("dict[") || lower.startsWith("object{") || lower.startsWith("mapping[")) return "object";
        return switch (lower) {
            case "str", "string", "text", "any" -> "string";
            case "int", "integer", "long" -> "integer";
            case "float", "number", "double", "decimal" -> "number";
            case "bool", "boolean" -> "boolean";
            case "list", "array", "tuple", "set" -> "array";
            case "dict", "object", "map", "mapping" -> "object";
            case "null", "none" -> "null";
            default -> w;
        };
    }

    /** A deep copy of a schema with every "type" word mapped (through properties and items). */
    public static ObjectNode toJsonSchema(ObjectNode schema) {
        ObjectNode out = schema.deepCopy();
        mapTypes(out);
        return out;
    }

    private static void mapTypes(ObjectNode s) {
        JsonNode t = s.get("type");
        if (t != null && t.isTextual()) s.put("type", jsonSchemaType(t.textValue()));
        else if (t != null && t.isArray()) {
            ArrayNode a = Json.array();
            t.forEach(x -> a.add(x.isTextual() ? jsonSchemaType(x.textValue()) : x.asText()));
            s.set("type", a);
        }
        JsonNode props = s.get("properties");
        if (props != null && props.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                JsonNode p = it.next().getValue();
                if (p.isObject()) mapTypes((ObjectNode) p);
            }
        }
        JsonNode items = s.get("items");
        if (items != null && items.isObject()) mapTypes((ObjectNode) items);
    }
}
