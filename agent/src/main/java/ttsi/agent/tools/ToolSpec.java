package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ttsi.agent.json.Json;

/**
 * A tool (function) the model may call. {@code parameters} is always a JSON-schema object
 * {@code {"type": "object", "properties": {...}, "required": [...]}}; each property keeps the type words of its
 * source ("str", "float", "dict", ...) because benchmark checkers (BFCL's) test against them.
 * {@link #toOpenAiFunction()} maps them to JSON-schema types for chat templates. {@code source} is the record
 * the spec was read from (null when built in code).
 */
public record ToolSpec(String name, String description, ObjectNode parameters, JsonNode source) {
    public ToolSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a tool needs a name");
        description = description == null ? "" : description;
        parameters = normalise(parameters);
    }

    public static ToolSpec of(String name, String description, ObjectNode parameters) {
        return new ToolSpec(name, description, parameters, null);
    }

    // ---- accessors ----

    public ObjectNode properties() {
        return (ObjectNode) parameters.get("properties");
    }

    public List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        properties().fieldNames().forEachRemaining(out::add);
        return out;
    }

    public List<String> required() {
        List<String> out = new ArrayList<>();
        parameters.get("required").forEach(n -> out.add(n.asText()));
        return out;
    }

    public boolean hasParameter(String p) {
        return properties().has(p);
    }

    /** The property's schema, or null. */
    public JsonNode property(String p) {
        return properties().get(p);
    }

    /** The property's type word as the source wrote it, or null. */
    public String type(String p) {
        JsonNode t = property(p) == null ? null : property(p).get("type");
        return t == null || !t.isTextual() ? null : t.textValue();
    }

    // ---- renderings ----

    /** {"type": "function", "function": {name, description, parameters}} with JSON-schema type words. */
    public ObjectNode toOpenAiFunction() {
        ObjectNode fn = Json.object();
        fn.put("name", name);
        fn.put("description", description);
        fn.set("parameters", SchemaTypes.toJsonSchema(parameters));
        ObjectNode o = Json.object();
        o.put("type", "function");
        o.set("function", fn);
        return o;
    }

    /**
     * The compact tool listing of the processed benchmark prompts (Hammer/xLAM style):
     * {name, description, parameters: {p: {type, description, ..., "required": true}}}.
     */
    public ObjectNode toListingJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        o.put("description", description);
        ObjectNode ps = o.putObject("parameters");
        Set<String> req = new LinkedHashSet<>(required());
        for (Iterator<Map.Entry<String, JsonNode>> it = properties().fields(); it.hasNext(); ) {
            var e = it.next();
            ObjectNode p = e.getValue().isObject() ? ((ObjectNode) e.getValue()).deepCopy() : Json.object();
            if (req.contains(e.getKey())) p.put("required", true);
            ps.set(e.getKey(), p);
        }
        return o;
    }

    // ---- reading the benchmark formats ----

    /**
     * Reads any of the supported formats: OpenAI {"type":"function","function":{...}}; JSON-schema
     * {name, description, parameters: {type: object|dict, properties, required}} (OpenAI, BFCL); Hammer's
     * {name, description, parameters: {p: {type, description, required: true}}}; Seal-Tools {api_name,
     * api_description, parameters, required}; API-Bank {name, description, input_parameters}; NexusRaven's API
     * list {name, description, args: [{name, type, required, default}]}.
     */
    public static ToolSpec fromJson(JsonNode n) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException("a tool spec must be a JSON object");
        if (n.has("function") && n.get("function").isObject()) {
            ToolSpec inner = fromJson(n.get("function"));
            return new ToolSpec(inner.name, inner.description, inner.parameters, n);
        }
        if (n.has("api_name")) {
            return fromParameterMap(text(n, "api_name"), text(n, "api_description"), n.get("parameters"), n.get("required"), n);
        }
        if (n.has("input_parameters")) {
            return fromParameterMap(text(n, "name"), text(n, "description"), n.get("input_parameters"), null, n);
        }
        if (n.has("args") && n.get("args").isArray()) return fromArgList(n);
        String name = text(n, "name");
        if (name == null) throw new IllegalArgumentException("a tool spec needs a name; keys were " + keys(n));
        JsonNode params = n.get("parameters");
        if (params != null && params.isObject() && params.path("type").isTextual()) {
            ObjectNode schema = params.deepCopy();
            schema.put("type", "object");
            return new ToolSpec(name, text(n, "description"), schema, n);
        }
        return fromParameterMap(name, text(n, "description"), params, n.get("required"), n);
    }

    /** {p: {type, description, required?}} plus an optional required list. */
    static ToolSpec fromParameterMap(String name, String description, JsonNode params, JsonNode requiredList, JsonNode source) {
        if (name == null) throw new IllegalArgumentException("a tool spec needs a name; keys were " + keys(source));
        ObjectNode props = Json.object();
        Set<String> req = new LinkedHashSet<>();
        if (params != null && params.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                ObjectNode p;
                if (v.isObject()) {
                    p = ((ObjectNode) v).deepCopy();
                    if (p.path("required").isBoolean()) {
                        if (p.get("required").booleanValue()) req.add(e.getKey());
                        p.remove("required");
                    }
                } else {
                    p = Json.object();
                    p.put("description", v.asText());
                }
                props.set(e.getKey(), p);
            }
        } else if (params != null && !params.isNull()) {
            throw new IllegalArgumentException("parameters of tool " + name + " must be an object, got " + params.getNodeType());
        }
        if (requiredList != null && requiredList.isArray()) requiredList.forEach(r -> req.add(r.asText()));
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        schema.set("properties", props);
        ArrayNode r = schema.putArray("required");
        req.forEach(r::add);
        return new ToolSpec(name, description, schema, source);
    }

    /** NexusRaven's API list: args [{name, type, required, default, description}], defaults as Python text. */
    static ToolSpec fromArgList(JsonNode n) {
        String name = text(n, "name");
        if (name == null) throw new IllegalArgumentException("a tool spec needs a name; keys were " + keys(n));
        ObjectNode props = Json.object();
        ArrayNode req = Json.array();
        for (JsonNode a : n.get("args")) {
            String an = text(a, "name");
            if (an == null) throw new IllegalArgumentException("an argument of " + name + " has no name");
            ObjectNode p = Json.object();
            String t = text(a, "type");
            if (t != null && !t.equals("None") && !t.isEmpty()) p.put("type", t);
            p.put("description", a.path("description").asText(""));
            if (a.has("default")) p.set("default", pythonDefault(a.get("default")));
            if (a.path("required").asBoolean(false)) req.add(an);
            props.set(an, p);
        }
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        schema.set("properties", props);
        schema.set("required", req);
        return new ToolSpec(name, text(n, "description"), schema, n);
    }

    /** A default written as Python source ("None", "5", "'x'") becomes its value; other text stays text. */
    static JsonNode pythonDefault(JsonNode d) {
        if (d == null || !d.isTextual()) return d == null ? Json.NODES.nullNode() : d;
        JsonNode v = PyLiteral.tryParse(d.textValue());
        return v != null ? v : d;
    }

    /**
     * A Python signature such as {@code def f(a: str, b: int = 3) -> dict:} (the "def" and return annotation are
     * optional) with its docstring: parameters without a default are required; "Args:" lines of the form
     * {@code name (type): text} give descriptions.
     */
    public static ToolSpec fromPythonSignature(String signature, String docstring) {
        return PySignature.parse(signature, docstring);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n == null ? null : n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String keys(JsonNode n) {
        List<String> k = new ArrayList<>();
        if (n != null) n.fieldNames().forEachRemaining(k::add);
        return k.toString();
    }

    private static ObjectNode normalise(ObjectNode p) {
        ObjectNode s = p == null ? Json.object() : p.deepCopy();
        if (!s.has("type")) s.put("type", "object");
        if (!s.path("properties").isObject()) s.set("properties", Json.object());
        if (!s.path("required").isArray()) s.set("required", Json.array());
        return s;
    }
}
