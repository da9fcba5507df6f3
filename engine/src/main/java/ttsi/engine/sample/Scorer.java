package ttsi.engine.sample;

import java.util.ArrayList;
import java.util.List;
import ttsi.engine.model.Adapter;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.State;

/**
 * Log-probabilities of N continuations given one prompt. The prompt's KV cache is computed once; each
 * continuation then runs on top of it and the cache is cut back to the prompt.
 */
public final class Scorer {
    private Scorer() {}

    /** Per-token logprobs of one continuation and their sum. */
    public record Score(double[] tokenLogprobs, double sum) {
        public double mean() {
            return tokenLogprobs.length == 0 ? 0 : sum / tokenLogprobs.length;
        }
    }

    public static List<Score> score(Decoder decoder, int[] prompt, List<int[]> continuations) {
        return score(decoder, null, prompt, continuations);
    }

    /** Scores with an adapter on top of the base weights (null: the base model). */
    public static List<Score> score(Decoder decoder, Adapter adapter, int[] prompt, List<int[]> continuations) {
        return score(decoder, prefill(decoder, adapter, prompt), continuations);
    }

    /** A prompt in a state's KV cache, with the logits of its last position. */
    public record Prompt(State state, float[] lastLogits) {}

    /** Runs the prompt once, for {@link #score(Decoder, Prompt, List)} (and generation after it). */
    public static Prompt prefill(Decoder decoder, Adapter adapter, int[] prompt) {
        if (prompt.length == 0) throw new IllegalArgumentException("scoring needs a non-empty prompt");
        State state = decoder.newState(adapter);
        return new Prompt(state, decoder.forward(state, prompt, 0, prompt.length, 1).clone());
    }

    /** Scores continuations of a prefilled prompt; afterwards its state holds the prompt alone again. */
    public static List<Score> score(Decoder decoder, Prompt prompt, List<int[]> continuations) {
        int vocab = decoder.config().vocabSize();
        State state = prompt.state();
        float[] last = prompt.lastLogits();
        int p = state.length();
        List<Score> out = new ArrayList<>(continuations.size());
        for (int[] c : continuations) {
            double[] lp = new double[c.length];
            if (c.length > 0) {
                lp[0] = logSoftmaxAt(last, 0, vocab, c[0]);
                if (c.length > 1) {
                    state.truncate(p);
                    float[] logits = decoder.forward(state, c, 0, c.length - 1, c.length - 1);
                    for (int t = 1; t < c.length; t++) lp[t] = logSoftmaxAt(logits, (t - 1) * vocab, vocab, c[t]);
                }
            }
            double sum = 0;
            for (double v : lp) sum += v;
            out.add(new Score(lp, sum));
        }
        state.truncate(p);
        return out;
    }

    /** log softmax(logits[off .. off+vocab))[id], computed in double. */
    public static double logSoftmaxAt(float[] logits, int off, int vocab, int id) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp(logits[off + i] - max);
        return logits[off + id] - max - Math.log(sum);
    }
}
