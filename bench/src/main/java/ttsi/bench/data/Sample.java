package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/**
 * One benchmark item. {@code conversation} is what the model sees before it answers (a single-query sample is
 * one user message); {@code gold} is one correct call list; {@code goldRaw} keeps the benchmark's own gold record
 * when a checker needs more than one answer (BFCL's possible answers, NexusRaven's reference call);
 * {@code meta} holds the rest (source file and index, sub-task "group", difficulty, ...).
 */
public record Sample(String id, String benchmark, List<Message> conversation, List<ToolSpec> tools,
                     List<ToolCall> gold, JsonNode goldRaw, ObjectNode meta) {
    public Sample {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("a sample needs an id");
        conversation = List.copyOf(conversation);
        tools = List.copyOf(tools);
        gold = gold == null ? List.of() : List.copyOf(gold);
        meta = meta == null ? Json.object() : meta;
    }

    /** The last user message: the query of a single-turn sample. */
    public String query() {
        for (int i = conversation.size() - 1; i >= 0; i--) {
            if (conversation.get(i).role().equals(Message.USER)) return conversation.get(i).content();
        }
        return "";
    }

    public boolean singleTurn() {
        return conversation.size() == 1 && conversation.getFirst().role().equals(Message.USER);
    }

    /** The tool with that name, or null. */
    public ToolSpec tool(String name) {
        for (ToolSpec t : tools) if (t.name().equals(name)) return t;
        return null;
    }

    /** The sub-task this sample is reported under (NexusRaven's dataset, BFCL's category), or null. */
    public String group() {
        JsonNode g = meta.get("group");
        return g == null || g.isNull() ? null : g.asText();
    }
}
