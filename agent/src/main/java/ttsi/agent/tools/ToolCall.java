package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import ttsi.agent.json.Json;

/**
 * One function call: a name and its keyword arguments. Arguments keep the JSON types the model (or the gold
 * file) gave, so that each scorer can apply its own benchmark's normalisation.
 */
public record ToolCall(String name, ObjectNode arguments) {
    public ToolCall {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a tool call needs a name");
        arguments = arguments == null ? Json.object() : arguments.deepCopy();
    }

    public static ToolCall of(String name, Map<String, ?> args) {
        return new ToolCall(name, Json.MAPPER.valueToTree(args));
    }

    public static ToolCall of(String name) {
        return new ToolCall(name, null);
    }

    /** The argument, or null when absent. */
    public JsonNode argument(String key) {
        return arguments.get(key);
    }

    /** {"name": ..., "arguments": {...}}: the shape of the processed benchmark answers. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        o.set("arguments", arguments.deepCopy());
        return o;
    }

    /** Reads {"name", "arguments"} (also the tool/api and parameters/args spellings). */
    public static ToolCall fromJson(JsonNode n) {
        ToolCallParser.ParseResult r = ToolCallParser.interpret(n);
        if (!r.ok() || r.calls().size() != 1) {
            throw new IllegalArgumentException("not a tool call: " + (r.ok() ? r.calls().size() + " calls" : r.error()));
        }
        return r.calls().getFirst();
    }

    @Override
    public String toString() {
        return name + Json.dumps(arguments);
    }
}
