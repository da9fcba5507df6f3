package ttsi.engine.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: greedy, or temperature + top-k + top-p (applied in that order, as
 * transformers does) from a seeded RNG. Only tokens that can be in the nucleus are sorted: a token whose
 * probability is below (1 − top_p)/V of the mass lies in the excluded tail whatever the others are.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private float[] probs = new float[0];
    private long[] keys = new long[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public int next(float[] logits, int off, int vocab) {
        if (params.temperature() == 0) return argmax(logits, off, vocab);
        if (probs.length < vocab) {
            probs = new float[vocab];
            keys = new long[vocab];
        }
        float invT = (float) (1.0 / params.temperature());
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + i] * invT);
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = (float) Math.exp(logits[off + i] * invT - max);
            sum += probs[i];
        }
        int k = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        if (k == vocab && params.topP() >= 1) return drawInIndexOrder(vocab, sum);

        // Candidates, sorted by probability (descending; ties by id): key = (~probability bits, id).
        float floor = params.topP() < 1 && k == vocab ? (float) ((1 - params.topP()) * sum / vocab) : 0f;
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] >= floor) keys[n++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(probs[i])) << 32) | i;
        }
        Arrays.sort(keys, 0, n);
        n = Math.min(n, k);
        double massK = 0;
        if (k < vocab) {
            for (int i = 0; i < n; i++) massK += probs[id(i)];
        } else {
            massK = sum;
        }
        if (params.topP() < 1) {
            double acc = 0;
            int kept = 0;
            while (kept < n) {
                acc += probs[id(kept++)];
                if (acc >= params.topP() * massK) break;
            }
            n = kept;
        }
        double total = 0;
        for (int i = 0; i < n; i++) total += probs[id(i)];
        double r = random.nextDouble() * total, acc = 0;
        for (int i = 0; i < n; i++) {
            acc += probs[id(i)];
            if (r < acc) return id(i);
        }
        return id(n - 1);
    }

    private int id(int sortedIndex) {
        return (int) keys[sortedIndex];
    }

    private int drawInIndexOrder(int vocab, double total) {
        double r = random.nextDouble() * total, acc = 0;
        for (int i = 0; i < vocab; i++) {
            acc += probs[i];
            if (r < acc) return i;
        }
        return vocab - 1;
    }

    public static int argmax(float[] logits, int off, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }
}
