package ttsi.api;

import java.util.ArrayList;
import java.util.List;

/**
 * One chat turn. {@code role} is system, user, assistant or tool; an assistant turn that called tools carries the
 * calls in {@code toolCalls} (its {@code content} may be empty); a tool turn's content is the tool's result.
 */
public record Message(String role, String content, List<ToolCall> toolCalls) {
    public static final String SYSTEM = "system", USER = "user", ASSISTANT = "assistant", TOOL = "tool";
    static final List<String> ROLES = List.of(SYSTEM, USER, ASSISTANT, TOOL);

    public Message {
        if (role == null || !ROLES.contains(role)) {
            throw new IllegalArgumentException("Message.role: expected one of " + ROLES + ", got " + (role == null ? "null" : "'" + role + "'"));
        }
        content = content == null ? "" : content;
        if (toolCalls == null) toolCalls = List.of();
        for (ToolCall c : toolCalls) if (c == null) throw new IllegalArgumentException("Message.toolCalls: contains null");
        toolCalls = List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && !role.equals(ASSISTANT)) {
            throw new IllegalArgumentException("Message.toolCalls: only an assistant message can carry tool calls, not a " + role + " message");
        }
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

    /** An assistant turn that called tools (content may be empty). */
    public static Message assistant(String content, List<ToolCall> calls) {
        return new Message(ASSISTANT, content, calls);
    }

    /** A tool's result, answering the assistant's call before it. */
    public static Message tool(String content) {
        return new Message(TOOL, content, null);
    }

    ttsi.agent.tools.Message toAgent() {
        List<ttsi.agent.tools.ToolCall> calls = new ArrayList<>();
        for (ToolCall c : toolCalls) calls.add(c.toAgent());
        return new ttsi.agent.tools.Message(role, content, calls);
    }
}
