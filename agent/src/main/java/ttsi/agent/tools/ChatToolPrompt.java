package ttsi.agent.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;

/**
 * What a model's own chat template needs to prompt for tool calls: the messages and the tools as OpenAI
 * function specs. The template itself is rendered by the engine; this class only builds its inputs and the
 * answer text a template would produce for calls (Qwen2.5/Hermes {@code <tool_call>} blocks).
 */
public final class ChatToolPrompt {
    private ChatToolPrompt() {}

    /** Each tool as {"type": "function", "function": {...}} with JSON-schema types. */
    public static ArrayNode tools(List<ToolSpec> tools) {
        ArrayNode a = Json.array();
        for (ToolSpec t : tools) a.add(t.toOpenAiFunction());
        return a;
    }

    /**
     * The assistant text for calls in Qwen2.5's template:
     * {@code <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>}, one block per call, joined by newlines.
     */
    public static String answer(List<ToolCall> calls) {
        StringBuilder sb = new StringBuilder();
        for (ToolCall c : calls) {
            if (!sb.isEmpty()) sb.append('\n');
            sb.append("<tool_call>\n").append(Json.dumps(c.toJson())).append("\n</tool_call>");
        }
        return sb.toString();
    }

    /** {"messages": [...], "tools": [...]}: the input of transformers' apply_chat_template (and render_chat.py). */
    public static ObjectNode chatJson(List<Message> messages, List<ToolSpec> tools) {
        ObjectNode o = Json.object();
        ArrayNode ms = o.putArray("messages");
        for (Message m : messages) ms.add(m.toChatJson());
        if (!tools.isEmpty()) o.set("tools", tools(tools));
        return o;
    }
}
