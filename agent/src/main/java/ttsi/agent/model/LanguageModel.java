package ttsi.agent.model;

import java.util.List;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * A model that answers a chat: what every step of the method needs (G writes with it, the answer comes from it).
 * Scoring continuations ({@link ScoringModel}, for H) and adapting to examples ({@link AdaptableModel}, for T) are
 * narrower interfaces that extend this one; the embedded engine implements all three, an OpenAI-compatible HTTP
 * backend generation (and scoring through {@code OpenAiModel.scoring()} where a local chat template is given).
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

    /**
     * The text an assistant turn becomes after the generation prompt under this model's chat template (e.g.
     * {@code <tool_call>\n{"name": ...}\n</tool_call><|im_end|>\n} for Qwen2.5 tool calls): how a forced tool call's
     * prefill begins. The default has no chat template to render it with; a {@link ScoringModel} always has one.
     */
    default String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        throw new UnsupportedOperationException(id() + " does not expose its chat template");
    }

    @Override
    default void close() {}
}
