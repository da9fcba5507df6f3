package ttsi.engine.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from a row of logits: greedy, or temperature + top-k + top-p from a seeded RNG. */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private Integer[] order = new Integer[0];
    private float[] probs = new float[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public int next(float[] logits, int off, int vocab) {
        if (params.temperature() == 0) return argmax(logits, off, vocab);
        if (probs.length < vocab) {
            probs = new float[vocab];
            order = new Integer[vocab];
        }
        float invT = (float) (1.0 / params.temperature());
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + i] * invT);
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = (float) Math.exp(logits[off + i] * invT - max);
            sum += probs[i];
        }
        // Candidates sorted by probability (ties by id) when a filter needs them; otherwise sample over all.
        int k = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        if (k == vocab && params.topP() >= 1) return draw(vocab, sum, null);
        for (int i = 0; i < vocab; i++) order[i] = i;
        Arrays.sort(order, 0, vocab, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : Integer.compare(a, b));
        // transformers applies top-k first, then top-p over the renormalised survivors.
        double massK = 0;
        for (int i = 0; i < k; i++) massK += probs[order[i]];
        int n = k;
        if (params.topP() < 1) {
            double acc = 0;
            for (n = 0; n < k; ) {
                acc += probs[order[n++]];
                if (acc >= params.topP() * massK) break;
            }
        }
        double total = 0;
        for (int i = 0; i < n; i++) total += probs[order[i]];
        return draw(n, total, order);
    }

    private int draw(int n, double total, Integer[] idx) {
        double r = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            int id = idx == null ? i : idx[i];
            acc += probs[id];
            if (r < acc) return id;
        }
        return idx == null ? n - 1 : idx[n - 1];
    }

    public static int argmax(float[] logits, int off, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }
}
