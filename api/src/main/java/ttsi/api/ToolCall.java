package ttsi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * One function call: the tool's name and its arguments as a JSON object text (compact, in the order the model
 * wrote them), e.g. {@code {"city":"Paris","days":2}}.
 */
public record ToolCall(String name, String arguments) {
    public ToolCall {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("ToolCall.name: a tool call needs a non-blank tool name");
        arguments = compactObject(arguments, "ToolCall.arguments (of " + name + ")");
    }

    public static ToolCall of(String name, String argumentsJson) {
        return new ToolCall(name, argumentsJson);
    }

    /**
     * The calls in a model's output, read by the same tolerant parser the agent uses (the chat template's
     * {@code <tool_call>} blocks, JSON lists or objects, Python call syntax, ...). Empty when the text holds no
     * readable call (e.g. a plain text answer).
     */
    public static List<ToolCall> parse(String modelOutput, List<Tool> tools) {
        List<ToolSpec> specs = new ArrayList<>();
        if (tools != null) for (Tool t : tools) specs.add(t.toSpec());
        ToolCallParser.ParseResult r = ToolCallParser.parse(modelOutput == null ? "" : modelOutput, specs);
        return r.ok() ? fromAgent(r.calls()) : List.of();
    }

    // ---- conversions to and from the agent's types ----

    ttsi.agent.tools.ToolCall toAgent() {
        return new ttsi.agent.tools.ToolCall(name, (ObjectNode) Json.parse(arguments));
    }

    static ToolCall fromAgent(ttsi.agent.tools.ToolCall c) {
        return new ToolCall(c.name(), Json.compact(c.arguments()));
    }

    static List<ToolCall> fromAgent(List<ttsi.agent.tools.ToolCall> calls) {
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (ttsi.agent.tools.ToolCall c : calls) out.add(fromAgent(c));
        return List.copyOf(out);
    }

    /** The text as compact JSON when it is a JSON object ("" or null: {}), else an IllegalArgumentException naming the field. */
    static String compactObject(String text, String field) {
        if (text == null || text.isBlank()) return "{}";
        JsonNode n;
        try {
            n = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!n.isObject()) throw new IllegalArgumentException(field + ": expected a JSON object, got " + n.getNodeType().toString().toLowerCase());
        return Json.compact(n);
    }
}
