package ttsi.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static float[] logits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (r.nextGaussian() * 2);
        return l;
    }

    static SamplingParams p(double temp, int topK, double topP, long seed) {
        return new SamplingParams(temp, topK, topP, seed, 16, List.of(), List.of());
    }

    @Test
    void greedyPicksTheArgmax() {
        float[] l = logits(50, 1);
        assertEquals(Sampler.argmax(l, 0, 50), new Sampler(SamplingParams.greedy(1)).next(l, 0, 50));
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] l = logits(200, 2);
        int[] a = new int[64], b = new int[64], c = new int[64];
        Sampler sa = new Sampler(p(1.0, 0, 1, 42)), sb = new Sampler(p(1.0, 0, 1, 42)), sc = new Sampler(p(1.0, 0, 1, 43));
        for (int i = 0; i < 64; i++) {
            a[i] = sa.next(l, 0, 200);
            b[i] = sb.next(l, 0, 200);
            c[i] = sc.next(l, 0, 200);
        }
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        float[] l = logits(100, 3);
        int best = Sampler.argmax(l, 0, 100);
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(best, new Sampler(p(1.5, 1, 1, seed)).next(l, 0, 100));
            assertEquals(best, new Sampler(p(1.5, 0, 1e-6, seed)).next(l, 0, 100));
        }
    }

    @Test
    void topKRestrictsToTheKMostLikely() {
        float[] l = logits(100, 4);
        Integer[] idx = new Integer[100];
        for (int i = 0; i < 100; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (x, y) -> Float.compare(l[y], l[x]));
        java.util.Set<Integer> top3 = java.util.Set.of(idx[0], idx[1], idx[2]);
        Sampler s = new Sampler(p(5.0, 3, 1, 9));
        for (int i = 0; i < 500; i++) assertTrue(top3.contains(s.next(l, 0, 100)));
    }

    @Test
    void frequenciesFollowTheSoftmax() {
        float[] l = {0f, (float) Math.log(3)}; // p = 0.25, 0.75
        Sampler s = new Sampler(p(1.0, 0, 1, 5));
        int ones = 0, n = 20000;
        for (int i = 0; i < n; i++) ones += s.next(l, 0, 2);
        assertEquals(0.75, ones / (double) n, 0.02);
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> p(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> p(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> p(1, -2, 1, 0));
    }
}
