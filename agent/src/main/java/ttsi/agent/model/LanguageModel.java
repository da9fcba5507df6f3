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
