package ttsi.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;

/**
 * Supervised fine-tuning examples. A chat is trained on its last assistant message (or on every one), rendered
 * by the model's own chat template (so the target includes the template's end-of-turn tokens); a prompt/completion
 * pair on the completion followed by the end-of-sequence token.
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

    /**
     * As {@link #fromChat}, with the loss on every assistant turn: a conversation of several requests and answers
     * trains each answer, as HF's assistant-only loss does. The text is cut where each assistant turn starts and
     * ends (the template's rendering of the conversation up to that turn, with and without it), and each piece is
     * tokenized on its own, so every answer starts a fresh token sequence as a generated one does.
     */
    public static TrainingExample fromChatEveryAnswer(Tokenizer tok, ChatTemplate template, JsonNode chat) {
        JsonNode messages = chat.path("messages");
        if (!messages.isArray() || messages.isEmpty() || !messages.get(messages.size() - 1).path("role").asText().equals("assistant")) {
            throw new IllegalArgumentException("a training chat needs 'messages' ending with an assistant message");
        }
        List<int[]> pieces = new ArrayList<>();
        List<Boolean> isAnswer = new ArrayList<>();
        String done = "";
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).path("role").asText().equals("assistant")) continue;
            String prompt = template.render(upTo(chat, i, true)), full = template.render(upTo(chat, i + 1, false));
            if (!prompt.startsWith(done) || !full.startsWith(prompt)) {
                throw new IllegalArgumentException("the chat template does not render the conversation turn by turn as prefixes of each other "
                        + "(at message " + i + "); cannot isolate its answers");
            }
            pieces.add(tok.encode(prompt.substring(done.length())));
            isAnswer.add(false);
            pieces.add(tok.encode(full.substring(prompt.length())));
            isAnswer.add(true);
            done = full;
        }
        int n = 0;
        for (int[] p : pieces) n += p.length;
        int[] tokens = new int[n];
        boolean[] target = new boolean[n];
        int at = 0;
        for (int k = 0; k < pieces.size(); k++) {
            int[] p = pieces.get(k);
            System.arraycopy(p, 0, tokens, at, p.length);
            if (isAnswer.get(k)) Arrays.fill(target, at, at + p.length, true);
            at += p.length;
        }
        return new TrainingExample(tokens, target);
    }

    /** The chat with its first n messages, rendered with or without the generation prompt. */
    private static ObjectNode upTo(JsonNode chat, int n, boolean generationPrompt) {
        ObjectNode c = chat.deepCopy();
        ArrayNode ms = (ArrayNode) c.get("messages");
        while (ms.size() > n) ms.remove(ms.size() - 1);
        c.put("add_generation_prompt", generationPrompt);
        return c;
    }

    /** Raw text: loss on the completion and a final end-of-sequence token (if the tokenizer has one). */
    public static TrainingExample fromPromptCompletion(Tokenizer tok, String prompt, String completion) {
        int[] p = tok.encode(prompt, true), c = tok.encode(completion);
        if (tok.eosId().isPresent()) {
            c = Arrays.copyOf(c, c.length + 1);
            c[c.length - 1] = tok.eosId().getAsInt();
        }
        return TrainingExample.promptAndAnswer(p, c);
    }
}
