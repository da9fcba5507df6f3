package ttsi.agent.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ttsi.jinja.JsonValues;
import ttsi.jinja.PyJson;

/**
 * The agent's JSON helpers: one strict mapper, and Python {@code json.dumps} rendering. Prompts and training
 * answers must look exactly like what chat templates (jinja2 {@code tojson}) and the benchmark scripts produce,
 * so the text form is Python's (separators {@code ", "} and {@code ": "}, Python float repr), not Jackson's.
 */
public final class Json {
    /** Strict: one JSON value per text, nothing after it. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Parses strict JSON, or throws IllegalArgumentException with Jackson's reason (location included). */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage() + locationOf(e), e);
        }
    }

    /** Parses strict JSON, or returns null. */
    public static JsonNode tryParse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            return n == null || n.isMissingNode() ? null : n;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String locationOf(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    /** Compact JSON as Jackson writes it (for files, not prompts). */
    public static String compact(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Python {@code json.dumps(x, ensure_ascii=False)}: what jinja2's tojson and most Python scripts print. */
    public static String dumps(JsonNode n) {
        return PyJson.dumps(JsonValues.fromJson(n), false);
    }

    /** Python {@code json.dumps(x)} with the default {@code ensure_ascii=True}. */
    public static String dumpsAscii(JsonNode n) {
        return PyJson.dumps(JsonValues.fromJson(n), true);
    }

    /** Appends a string as a JSON string literal (Python's escaping, non-ASCII kept unless ascii). */
    public static void quoteJson(String s, StringBuilder sb, boolean ascii) {
        sb.append(PyJson.dumps(s, ascii));
    }

    /** Python's {@code repr(float)}: the shortest digits that round-trip. */
    public static String pythonFloatRepr(double d) {
        return PyJson.floatRepr(d);
    }
}
