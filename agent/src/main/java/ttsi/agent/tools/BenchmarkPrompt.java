package ttsi.agent.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;

/**
 * The prompt of the processed benchmark sets (Hammer/xLAM layout): a task instruction, the available tools as
 * JSON, a format instruction asking for {@code [{"name": ..., "arguments": {...}}]}, then the query, each in
 * its own [BEGIN OF ...]/[END OF ...] block. The model answers with the JSON list ({@link #answer}).
 * The wording is ours; the block layout and the answer format are the benchmark sets'.
 */
public final class BenchmarkPrompt {
    /** USER_ONLY: all blocks in one user message. SYSTEM_AND_USER: instructions and tools as the system message, the query as the user message. */
    public enum Layout { USER_ONLY, SYSTEM_AND_USER }

    public static final String TASK_INSTRUCTION = """
            You are an expert at calling tools. You are given a user request (or a conversation) and a list of \
            available tools. Choose the tool or tools that accomplish the request and fill in their arguments with \
            the correct values from the request.
            1. Make one or more tool calls that accomplish the request.
            2. If none of the tools can accomplish the request, make no call.
            3. If the request lacks a value that a tool requires, make no call.""";

    public static final String FORMAT_INSTRUCTION = """
            Answer with a JSON list of tool calls and nothing else, in this form:
            ```
            [{"name": "tool_name", "arguments": {"argument_name": "value"}}, ... (one object per call)]
            ```
            Give each argument the type its tool declares. If no call should be made, answer with an empty list [].""";

    private BenchmarkPrompt() {}

    public static List<Message> render(List<Message> conversation, List<ToolSpec> tools, Layout layout) {
        String instructions = block("TASK INSTRUCTION", TASK_INSTRUCTION)
                + block("AVAILABLE TOOLS", toolsJson(tools))
                + block("FORMAT INSTRUCTION", FORMAT_INSTRUCTION);
        String query = block("QUERY", queryText(conversation));
        List<Message> out = new ArrayList<>();
        if (layout == Layout.SYSTEM_AND_USER) {
            out.add(Message.system(instructions.strip()));
            out.add(Message.user(query.strip()));
        } else {
            out.add(Message.user(instructions + query.strip()));
        }
        return out;
    }

    private static String block(String title, String body) {
        return "[BEGIN OF " + title + "]\n" + body + "\n[END OF " + title + "]\n\n";
    }

    /** The tool listing: a JSON list of {name, description, parameters: {p: {type, description, required}}}. */
    public static String toolsJson(List<ToolSpec> tools) {
        ArrayNode a = Json.array();
        for (ToolSpec t : tools) a.add(t.toListingJson());
        return Json.dumps(a);
    }

    /** A single user message as is; a conversation as "role: text" lines, tool calls written as answers. */
    public static String queryText(List<Message> conversation) {
        if (conversation.size() == 1 && conversation.getFirst().role().equals(Message.USER)) {
            return conversation.getFirst().content();
        }
        StringBuilder sb = new StringBuilder();
        for (Message m : conversation) {
            if (!sb.isEmpty()) sb.append('\n');
            String text = m.hasToolCalls() ? answer(m.toolCalls()) : m.content();
            sb.append(m.role()).append(": ").append(text);
        }
        return sb.toString();
    }

    /** The expected answer: {@code [{"name": "f", "arguments": {"a": 1}}]} as Python's json.dumps writes it. */
    public static String answer(List<ToolCall> calls) {
        ArrayNode a = Json.array();
        for (ToolCall c : calls) a.add(c.toJson());
        return Json.dumps(a);
    }

    /** The start of an answer that calls {@code toolName} first: {@code [{"name": "toolName"}. */
    public static String namePrefix(String toolName) {
        StringBuilder sb = new StringBuilder("[{\"name\": ");
        Json.quoteJson(toolName, sb, false);
        return sb.toString();
    }
}
