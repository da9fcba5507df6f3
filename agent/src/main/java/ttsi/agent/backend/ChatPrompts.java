package ttsi.agent.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.tokenizer.ChatTemplate;

/** Renders messages and tools through a model's chat template (shared by the embedded and HTTP backends). */
final class ChatPrompts {
    private ChatPrompts() {}

    /** The prompt: the template over messages and tools, with the assistant's generation prompt. */
    static String prompt(ChatTemplate template, List<Message> messages, List<ToolSpec> tools) {
        ObjectNode chat = ChatToolPrompt.chatJson(messages, tools);
        chat.put("add_generation_prompt", true);
        return template.render(chat);
    }

    /** The text the answer turn becomes after the generation prompt. */
    static String assistantText(ChatTemplate template, List<Message> messages, List<ToolSpec> tools, Message answer) {
        String prompt = prompt(template, messages, tools);
        List<Message> all = new ArrayList<>(messages);
        all.add(answer);
        ObjectNode chat = ChatToolPrompt.chatJson(all, tools);
        chat.put("add_generation_prompt", false);
        String full = template.render(chat);
        if (!full.startsWith(prompt)) {
            throw new IllegalStateException("the chat template does not render the conversation without its answer as a prefix of it");
        }
        return full.substring(prompt.length());
    }
}
