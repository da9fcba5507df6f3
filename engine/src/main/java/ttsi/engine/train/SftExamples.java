package ttsi.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;

/**
 * Supervised fine-tuning examples. A chat is trained on its last assistant message, rendered by the model's own
 * chat template (so the target includes the template's end-of-turn tokens); a prompt/completion pair on the
 * completion followed by the end-of-sequence token.
 */
public final class SftExamples {
    private SftExamples() {}

    /** {"messages": [..., {"role": "assistant", ...}], "tools": [...]}: loss on the final assistant turn. */
    public static TrainingExample fromChat(Tokenizer tok, ChatTemplate template, JsonNode chat) {
        JsonNode messages = chat.path("messages");
        if (!messages.isArray() || messages.isEmpty() || !messages.get(messages.size() - 1).path("role").asText().equals("assistant")) {
            throw new IllegalArgumentException("a training chat needs 'messages' ending with an assistant message");
        }
        ObjectNode promptChat = chat.deepCopy();
        ArrayNode promptMessages = (ArrayNode) promptChat.get("messages");
        promptMessages.remove(promptMessages.size() - 1);
        promptChat.put("add_generation_prompt", true);
        ObjectNode fullChat = chat.deepCopy();
        fullChat.put("add_generation_prompt", false);
        String prompt = template.render(promptChat), full = template.render(fullChat);
        if (!full.startsWith(prompt)) {
            throw new IllegalArgumentException("the chat template renders the conversation without the final answer as a prefix of it; cannot isolate the answer");
        }
        return TrainingExample.promptAndAnswer(tok.encode(prompt), tok.encode(full.substring(prompt.length())));
    }

    /** Raw text: loss on the completion and a final end-of-sequence token (if the tokenizer has one). */
    public static TrainingExample fromPromptCompletion(Tokenizer tok, String prompt, String completion) {
        int[] p = tok.encode(prompt, true), c = tok.encode(completion);
        if (tok.eosId().isPresent()) {
            c = java.util.Arrays.copyOf(c, c.length + 1);
            c[c.length - 1] = tok.eosId().getAsInt();
        }
        return TrainingExample.promptAndAnswer(p, c);
    }
}
