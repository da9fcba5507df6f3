package ttsi.agent.model;

import java.util.List;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/** One supervised example: a prompt (messages and tools) and the assistant turn to learn. */
public record TrainingPair(List<Message> messages, List<ToolSpec> tools, Message answer) {
    public TrainingPair {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        if (!answer.role().equals(Message.ASSISTANT)) throw new IllegalArgumentException("the answer must be an assistant message");
    }
}
