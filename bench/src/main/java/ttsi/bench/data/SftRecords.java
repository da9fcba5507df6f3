package ttsi.bench.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * Benchmark samples as fine-tuning records, the format {@code ttsi finetune} reads: one chat
 * {@code {"messages": [...], "tools": [...]}} per line, the last message the assistant's gold calls.
 */
public final class SftRecords {
    private SftRecords() {}

    /** A chat record: the messages (OpenAI chat JSON) and, when there are any, the tools as OpenAI functions. */
    public static ObjectNode chat(List<Message> messages, List<ToolSpec> tools) {
        ObjectNode o = Json.object();
        ArrayNode ms = o.putArray("messages");
        for (Message m : messages) ms.add(m.toChatJson());
        if (!tools.isEmpty()) {
            ArrayNode ts = o.putArray("tools");
            for (ToolSpec t : tools) ts.add(t.toOpenAiFunction());
        }
        return o;
    }

    /** A sample's conversation in a prompt format, answered with its gold calls. */
    public static ObjectNode answering(Sample s, PromptFormat f) {
        return answering(s, List.of(), f);
    }

    /**
     * As {@link #answering(Sample, PromptFormat)} after earlier requests over the same tools: each earlier one a user
     * turn and its answer, as the format renders ICL demonstrations.
     */
    public static ObjectNode answering(Sample s, List<PromptFormat.Demo> earlier, PromptFormat f) {
        List<Message> ms = new ArrayList<>(f.messages(s.conversation(), s.tools(), earlier));
        ms.add(f.answer(s.gold()));
        return chat(ms, f.templateTools(s.tools()));
    }
}
