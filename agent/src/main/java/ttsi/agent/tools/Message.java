package ttsi.agent.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import ttsi.agent.json.Json;

/**
 * One chat turn. Roles are normalised to system, user, assistant and tool; an assistant turn that called
 * tools carries them in {@code toolCalls} (its {@code content} keeps the original text, possibly empty).
 */
public record Message(String role, String content, List<ToolCall> toolCalls) {
    public static final String SYSTEM = "system", USER = "user", ASSISTANT = "assistant", TOOL = "tool";

    public Message {
        if (role == null || role.isBlank()) throw new IllegalArgumentException("a message needs a role");
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static Message system(String content) {
        return new Message(SYSTEM, content, null);
    }

    public static Message user(String content) {
        return new Message(USER, content, null);
    }

    public static Message assistant(String content) {
        return new Message(ASSISTANT, content, null);
    }

    public static Message assistantCalls(String content, List<ToolCall> calls) {
        return new Message(ASSISTANT, content, calls);
    }

    public static Message tool(String content) {
        return new Message(TOOL, content, null);
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /**
     * The Hugging Face chat-template shape: {role, content} plus, for tool calls,
     * {@code tool_calls: [{type: function, function: {name, arguments}}]}.
     */
    public ObjectNode toChatJson() {
        ObjectNode o = Json.object();
        o.put("role", role);
        o.put("content", content);
        if (hasToolCalls()) {
            ArrayNode calls = o.putArray("tool_calls");
            for (ToolCall c : toolCalls) {
                ObjectNode tc = calls.addObject();
                tc.put("type", "function");
                tc.set("function", c.toJson());
            }
        }
        return o;
    }
}
