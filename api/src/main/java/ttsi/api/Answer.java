package ttsi.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's answer to one request, and what the method did to produce it.
 *
 * @param toolCalls the calls the model made, parsed from {@code text} (empty when it answered in prose or the text
 *     did not parse; then {@code parseError} says why)
 * @param text the model's raw output (for a chat-template model, e.g. {@code <tool_call>...</tool_call>} blocks)
 * @param parseError null when {@code text} was read as calls (possibly none), else why it was not
 * @param mode the mode the request was answered in
 * @param uncertainty H's verdict over the request's tools (measured in every mode)
 * @param adapted whether a LoRA adapter was trained for this request and answered it (then discarded: the next
 *     request starts from the base weights)
 * @param synthesis G: the synthetic training pairs, or {@link Synthesis#none()} when G did not run
 * @param losses T: the training loss at each optimizer step (empty when not adapted)
 * @param seconds wall time per stage, in the order they ran: score (H), synthesize (G), train (T), answer
 */
public record Answer(List<ToolCall> toolCalls, String text, String parseError, Mode mode, Uncertainty uncertainty,
                     boolean adapted, Synthesis synthesis, List<Double> losses, Map<String, Double> seconds) {
    public Answer {
        toolCalls = List.copyOf(toolCalls);
        losses = List.copyOf(losses);
        seconds = Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }

    /** Whether the model called at least one tool. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /**
     * H: how sure the model is which tool to call. Each candidate tool is scored by the log-probability of the
     * answer prefix that names it; probabilities are the softmax over those scores; the request is uncertain when
     * the margin between the top two is below τ.
     *
     * @param probabilities per candidate tool, in the request's tool order
     * @param scores each candidate's log-probability score (0 when not scored)
     * @param topTool the most likely tool (null when there are no candidates)
     * @param reason why no scoring was done (e.g. "single tool"), else null
     */
    public record Uncertainty(double margin, double tau, boolean uncertain, Map<String, Double> probabilities,
                              Map<String, Double> scores, String topTool, String reason) {
        public Uncertainty {
            probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
            scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        }
    }

    /**
     * G: what the generator (the model itself, or the teacher) wrote.
     *
     * @param ran whether synthesis ran for this request
     * @param generator "self" or "teacher" (null when it did not run)
     * @param pairs the valid pairs that were trained on (at most K)
     * @param rejections why each rejected pair or attempt was rejected (a teacher failure included)
     * @param rawOutputs every raw generation, in order
     * @param attempts generation attempts made
     */
    public record Synthesis(boolean ran, String generator, List<SyntheticPair> pairs, List<String> rejections,
                            List<String> rawOutputs, int attempts) {
        public Synthesis {
            pairs = List.copyOf(pairs);
            rejections = List.copyOf(rejections);
            rawOutputs = List.copyOf(rawOutputs);
        }

        public static Synthesis none() {
            return new Synthesis(false, null, List.of(), List.of(), List.of(), 0);
        }
    }

    /** One synthetic training example: a new user query like the request's, and the calls that answer it. */
    public record SyntheticPair(String query, List<ToolCall> calls) {
        public SyntheticPair {
            calls = List.copyOf(calls);
        }
    }
}
