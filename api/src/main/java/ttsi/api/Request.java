package ttsi.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;

/**
 * What the agent answers: a conversation (at least one user message; system, assistant and tool turns in the
 * order they happened) and the tools the model may call (at least one; names unique). Invalid input gives an
 * IllegalArgumentException naming the field, e.g. {@code tools: ...} or {@code messages[2].role: ...}.
 */
public record Request(List<Message> messages, List<Tool> tools) {
    public Request {
        if (messages == null || messages.isEmpty()) throw new IllegalArgumentException("messages: a request needs at least one message");
        boolean user = false;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m == null) throw new IllegalArgumentException("messages[" + i + "]: is null");
            user |= m.role().equals(Message.USER);
        }
        if (!user) throw new IllegalArgumentException("messages: a request needs at least one user message");
        if (tools == null || tools.isEmpty()) {
            throw new IllegalArgumentException("tools: a request needs at least one tool (the agent chooses among the request's tools)");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < tools.size(); i++) {
            Tool t = tools.get(i);
            if (t == null) throw new IllegalArgumentException("tools[" + i + "]: is null");
            Integer before = seen.putIfAbsent(t.name(), i);
            if (before != null) throw new IllegalArgumentException("tools[" + i + "].name: '" + t.name() + "' is already the name of tools[" + before + "]");
        }
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
    }

    public static Request of(List<Message> messages, List<Tool> tools) {
        return new Request(messages, tools);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * An OpenAI chat-completions style body: {@code {"messages": [{"role", "content", "tool_calls"?}, ...],
     * "tools": [...]}}. Content may be a string, null, or a list of {@code {"type": "text", "text"}} parts; a
     * tool call's arguments may be a JSON string or an object. Other keys are ignored.
     */
    public static Request fromJson(String json) {
        if (json == null || json.isBlank()) throw new IllegalArgumentException("request: no JSON given");
        JsonNode root;
        try {
            root = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("request: not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isObject()) throw new IllegalArgumentException("request: expected a JSON object, got " + Tool.kind(root));
        JsonNode ms = root.get("messages");
        if (ms == null || !ms.isArray()) throw new IllegalArgumentException("messages: expected a JSON array, got " + Tool.kind(ms));
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) messages.add(message(ms.get(i), "messages[" + i + "]"));
        JsonNode ts = root.get("tools");
        if (ts != null && !ts.isNull() && !ts.isArray()) throw new IllegalArgumentException("tools: expected a JSON array, got " + Tool.kind(ts));
        List<Tool> tools = ts == null || ts.isNull() ? List.of() : Tool.listFromJson(ts, "tools");
        return new Request(messages, tools);
    }

    private static Message message(JsonNode m, String where) {
        if (m == null || !m.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object, got " + Tool.kind(m));
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) throw new IllegalArgumentException(where + ".role: expected a string, got " + Tool.kind(role));
        if (!Message.ROLES.contains(role.textValue())) {
            throw new IllegalArgumentException(where + ".role: expected one of " + Message.ROLES + ", got '" + role.textValue() + "'");
        }
        String content = content(m.get("content"), where + ".content");
        List<ToolCall> calls = new ArrayList<>();
        JsonNode tc = m.get("tool_calls");
        if (tc != null && !tc.isNull()) {
            if (!tc.isArray()) throw new IllegalArgumentException(where + ".tool_calls: expected a JSON array, got " + Tool.kind(tc));
            for (int j = 0; j < tc.size(); j++) calls.add(call(tc.get(j), where + ".tool_calls[" + j + "]"));
        }
        try {
            return new Message(role.textValue(), content, calls);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.textValue();
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.size(); i++) {
                JsonNode part = c.get(i);
                if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                    throw new IllegalArgumentException(where + "[" + i + "]: only text parts {\"type\": \"text\", \"text\": ...} are supported");
                }
                sb.append(part.get("text").textValue());
            }
            return sb.toString();
        }
        throw new IllegalArgumentException(where + ": expected a string or a list of text parts, got " + Tool.kind(c));
    }

    private static ToolCall call(JsonNode c, String where) {
        if (c == null || !c.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object, got " + Tool.kind(c));
        JsonNode fn = c.has("function") ? c.get("function") : c;
        String at = c.has("function") ? where + ".function" : where;
        JsonNode name = fn.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank()) throw new IllegalArgumentException(at + ".name: expected a non-blank string, got " + Tool.kind(name));
        JsonNode args = fn.get("arguments");
        String text = args == null || args.isNull() ? "{}" : args.isTextual() ? args.textValue() : Json.compact(args);
        try {
            return new ToolCall(name.textValue(), text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ".arguments: " + e.getMessage(), e);
        }
    }

    /** Builds a request turn by turn. */
    public static final class Builder {
        private final List<Message> messages = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();

        private Builder() {}

        public Builder system(String content) {
            return message(Message.system(content));
        }

        public Builder user(String content) {
            return message(Message.user(content));
        }

        public Builder assistant(String content) {
            return message(Message.assistant(content));
        }

        public Builder message(Message m) {
            messages.add(m);
            return this;
        }

        public Builder messages(List<Message> ms) {
            messages.addAll(ms);
            return this;
        }

        public Builder tool(Tool t) {
            tools.add(t);
            return this;
        }

        public Builder tools(List<Tool> ts) {
            tools.addAll(ts);
            return this;
        }

        public Request build() {
            return new Request(messages, tools);
        }
    }
}
