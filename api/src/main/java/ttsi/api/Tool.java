package ttsi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ParameterSchema;
import ttsi.agent.tools.ToolSpec;

/**
 * A function the model may call, as OpenAI's function tools describe one: a name, a description and a JSON-schema
 * object for its arguments ({@code {"type": "object", "properties": {...}, "required": [...]}}), kept as compact
 * JSON text. Build one with {@link #builder(String)}, or read OpenAI-style JSON with {@link #fromJson(String)} /
 * {@link #listFromJson(String)}.
 */
public record Tool(String name, String description, String parameters) {
    public Tool {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("Tool.name: a tool needs a non-blank name");
        description = description == null ? "" : description;
        parameters = schema(parameters, "Tool.parameters (of " + name + ")");
    }

    public static Tool of(String name, String description, String parametersJson) {
        return new Tool(name, description, parametersJson);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** OpenAI's tool JSON: {@code {"type": "function", "function": {"name", "description", "parameters"}}}. */
    public String toJson() {
        ObjectNode fn = Json.object();
        fn.put("name", name);
        fn.put("description", description);
        fn.set("parameters", Json.parse(parameters));
        ObjectNode o = Json.object();
        o.put("type", "function");
        o.set("function", fn);
        return Json.compact(o);
    }

    /**
     * One tool from OpenAI-style JSON: {@code {"type": "function", "function": {name, description, parameters}}} or
     * the bare function object {@code {name, description, parameters}}.
     */
    public static Tool fromJson(String json) {
        return fromJson(parse(json, "tool"), "tool");
    }

    /** A list of tools: a JSON array of tools as {@link #fromJson(String)} reads them, or {@code {"tools": [...]}}. */
    public static List<Tool> listFromJson(String json) {
        JsonNode n = parse(json, "tools");
        if (n.isObject() && n.has("tools")) n = n.get("tools");
        if (!n.isArray()) throw new IllegalArgumentException("tools: expected a JSON array of tools, got " + kind(n));
        return listFromJson(n, "tools");
    }

    static List<Tool> listFromJson(JsonNode array, String where) {
        List<Tool> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) out.add(fromJson(array.get(i), where + "[" + i + "]"));
        return List.copyOf(out);
    }

    static Tool fromJson(JsonNode n, String where) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object, got " + kind(n));
        JsonNode fn = n;
        String at = where;
        if (n.has("function")) {
            fn = n.get("function");
            at = where + ".function";
            if (!fn.isObject()) throw new IllegalArgumentException(at + ": expected a JSON object, got " + kind(fn));
            JsonNode type = n.get("type");
            if (type != null && !(type.isTextual() && type.textValue().equals("function"))) {
                throw new IllegalArgumentException(where + ".type: only function tools are supported, got " + type);
            }
        }
        JsonNode name = fn.get("name");
        if (name == null || name.isNull()) throw new IllegalArgumentException(at + ".name: missing; every tool needs a name");
        if (!name.isTextual() || name.textValue().isBlank()) throw new IllegalArgumentException(at + ".name: expected a non-blank string, got " + name);
        JsonNode description = fn.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            throw new IllegalArgumentException(at + ".description: expected a string, got " + kind(description));
        }
        JsonNode params = fn.get("parameters");
        String schema = params == null || params.isNull() ? null : Json.compact(params);
        try {
            return new Tool(name.textValue(), description == null || description.isNull() ? "" : description.textValue(), schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
        }
    }

    ToolSpec toSpec() {
        return ToolSpec.of(name, description, (ObjectNode) Json.parse(parameters));
    }

    // ---- validation ----

    /** The parameters schema as compact JSON; null or blank: an object with no properties. */
    static String schema(String text, String field) {
        if (text == null || text.isBlank()) return "{\"type\":\"object\",\"properties\":{}}";
        JsonNode n;
        try {
            n = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            ParameterSchema.check(n); // the same check as the server's
        } catch (ParameterSchema.Invalid e) {
            throw new IllegalArgumentException(field + e.path() + ": " + e.getMessage(), e);
        }
        return Json.compact(n);
    }

    private static JsonNode parse(String json, String where) {
        if (json == null || json.isBlank()) throw new IllegalArgumentException(where + ": no JSON given");
        try {
            return Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    static String kind(JsonNode n) {
        return ParameterSchema.kind(n);
    }

    /** Builds a tool parameter by parameter. */
    public static final class Builder {
        private final String name;
        private String description = "";
        private final ObjectNode properties = Json.object();
        private final ArrayNode required = Json.array();

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        /** A parameter with a JSON-schema type word (string, integer, number, boolean, array, object). */
        public Builder parameter(String name, String type, String description, boolean required) {
            ObjectNode p = Json.object();
            if (type != null) p.put("type", type);
            if (description != null && !description.isEmpty()) p.put("description", description);
            return add(name, p, required);
        }

        /** A parameter given by its full JSON schema, e.g. {@code {"type": "string", "enum": ["c", "f"]}}. */
        public Builder parameterSchema(String name, String schemaJson, boolean required) {
            JsonNode s = parse(schemaJson, "Tool.parameters.properties." + name);
            if (!s.isObject()) throw new IllegalArgumentException("Tool.parameters.properties." + name + ": expected a JSON-schema object, got " + kind(s));
            return add(name, (ObjectNode) s, required);
        }

        private Builder add(String p, ObjectNode schema, boolean isRequired) {
            if (p == null || p.isBlank()) throw new IllegalArgumentException("Tool.parameters (of " + name + "): a parameter needs a non-blank name");
            if (properties.has(p)) throw new IllegalArgumentException("Tool.parameters (of " + name + "): parameter '" + p + "' is given twice");
            properties.set(p, schema);
            if (isRequired) required.add(p);
            return this;
        }

        public Tool build() {
            ObjectNode schema = Json.object();
            schema.put("type", "object");
            schema.set("properties", properties.deepCopy());
            schema.set("required", required.deepCopy());
            return new Tool(name, description, Json.compact(schema));
        }
    }
}
