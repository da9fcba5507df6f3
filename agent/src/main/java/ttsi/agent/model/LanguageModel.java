package ttsi.agent.model;

import java.util.List;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * What the method needs from a model, and nothing more: generate an answer to a chat, score continuations of
 * it, and adapt to a few examples. The embedded engine implements all of it; an OpenAI-compatible HTTP backend
 * implements generation (and scoring where the server returns prompt log-probabilities).
 *
 * <p>A prompt is a list of messages plus the tools the model may call; the model applies its own chat template.
 */
public interface LanguageModel extends AutoCloseable {

    /** A name for logs and results (e.g. the model folder or the served model name). */
    String id();

    Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options);

    /**
     * Generation that reports as it goes. {@code prefill}: text placed after the generation prompt that the answer
     * continues (not part of the returned text; "" for none). {@code topLogprobs}: -1 for no log-probabilities, else
     * each token's log-probability and that many alternatives. The default generates at once and reports the whole
     * text as one piece, with no per-token information, and cannot prefill.
     */
    default Completion generate(List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions options,
                                int topLogprobs, GenerationListener listener) {
        if (prefill != null && !prefill.isEmpty()) throw new UnsupportedOperationException(id() + " cannot continue a prefilled answer");
        Completion c = generate(messages, tools, options);
        if (listener != null && !c.text().isEmpty()) listener.text(c.text());
        return c;
    }

    /** The model's context window in tokens (0: unknown). */
    default int contextLength() {
        return 0;
    }

    /** Tokens of the prompt (chat template over messages and tools, plus prefill); -1 when unknown. */
    default int promptTokens(List<Message> messages, List<ToolSpec> tools, String prefill) {
        return -1;
    }

    /** Whether {@link #score} and {@link #assistantText} work. */
    default boolean canScore() {
        return false;
    }

    /**
     * Log-probabilities of each continuation text placed right after the assistant's generation prompt.
     * Continuations are tokenized on their own, so shared leading text gives identical leading tokens.
     */
    default List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
        throw new UnsupportedOperationException(id() + " cannot score continuations");
    }

    /**
     * {@link #score}, but each continuation is needed only through char {@code ends[i]}: it is still tokenized
     * whole, as the model writes it, and its tokens are kept through the one that covers char {@code ends[i] - 1},
     * so that token may run past it (Qwen's {@code ",} after a tool name). Later tokens need not be scored. The
     * default scores whole continuations and cuts them.
     */
    default List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
        if (ends.length != continuations.size()) throw new IllegalArgumentException("one end per continuation");
        List<TokenLogprobs> all = score(messages, tools, continuations);
        List<TokenLogprobs> out = new java.util.ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) out.add(all.get(i).through(ends[i]));
        return out;
    }

    /**
     * The text an assistant turn becomes after the generation prompt under this model's chat template (e.g.
     * {@code <tool_call>\n{"name": ...}\n</tool_call><|im_end|>\n} for Qwen2.5 tool calls).
     */
    default String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        throw new UnsupportedOperationException(id() + " does not expose its chat template");
    }

    /** Whether {@link #adapt} works. */
    default boolean canAdapt() {
        return false;
    }

    /**
     * Fine-tunes a fresh adapter on the examples (seeded) and returns the adapted model. Closing it resets: the
     * base model is unchanged and no state carries over to the next adaptation.
     */
    default Adapted adapt(List<TrainingPair> examples, long seed) {
        throw new UnsupportedOperationException(id() + " cannot be adapted");
    }

    /** An adapted model with its training record; {@link #close()} resets to the base model. */
    interface Adapted extends LanguageModel {
        /** Training loss at each optimizer step. */
        double[] losses();

        @Override
        void close();
    }

    @Override
    default void close() {}
}
