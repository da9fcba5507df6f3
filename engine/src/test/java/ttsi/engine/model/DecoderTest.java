package ttsi.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecoderTest {

    static int[] randomTokens(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return r.ints(n, 0, vocab).toArray();
    }

    static void assertClose(float[] expected, float[] actual, double relTol) {
        assertEquals(expected.length, actual.length, "length");
        double max = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        if (diff > relTol * Math.max(max, 1e-6)) {
            throw new AssertionError("max |diff| " + diff + " > " + relTol + " * max |expected| " + max);
        }
    }

    @Test
    void cachedDecodeMatchesFullRecompute() {
        for (ModelConfig c : new ModelConfig[] {TinyModels.qwen2(), TinyModels.llama3(), TinyModels.mistralWindow()}) {
            Decoder d = TinyModels.random(c, 3);
            int[] toks = randomTokens(19, c.vocabSize(), 5);
            float[] full = d.logits(toks);
            int v = c.vocabSize();
            // Prefill 7, then one token at a time, then a chunk of 4, then the rest one by one.
            State s = d.newState();
            float[] step = new float[toks.length * v];
            System.arraycopy(d.forward(s, toks, 0, 7, 7), 0, step, 0, 7 * v);
            int t = 7;
            for (; t < 11; t++) System.arraycopy(d.forward(s, toks, t, 1, 1), 0, step, t * v, v);
            System.arraycopy(d.forward(s, toks, t, 4, 4), 0, step, t * v, 4 * v);
            for (t += 4; t < toks.length; t++) System.arraycopy(d.forward(s, toks, t, 1, 1), 0, step, t * v, v);
            assertEquals(toks.length, s.length());
            assertClose(full, step, 1e-5);
        }
    }

    @Test
    void lastRowLogitsEqualTheFullRunsLastRow() {
        ModelConfig c = TinyModels.qwen2();
        Decoder d = TinyModels.random(c, 1);
        int[] toks = randomTokens(9, c.vocabSize(), 2);
        float[] full = d.logits(toks);
        float[] last = d.forward(d.newState(), toks, 0, toks.length, 1);
        assertArrayEquals(Arrays.copyOfRange(full, 8 * c.vocabSize(), 9 * c.vocabSize()), last);
    }

    @Test
    void slidingWindowLimitsAttention() {
        // With a window of 5, tokens more than 5 positions back cannot influence the last logits.
        ModelConfig c = TinyModels.mistralWindow();
        Decoder d = TinyModels.random(c, 4);
        int[] a = randomTokens(12, c.vocabSize(), 9);
        int[] b = a.clone();
        b[0] = (b[0] + 1) % c.vocabSize();
        // Layer 2 sees layer 1's outputs, which saw 5 back: 2 layers reach 8 positions back at most.
        float[] la = d.forward(d.newState(), a, 0, a.length, 1);
        float[] lb = d.forward(d.newState(), b, 0, b.length, 1);
        assertArrayEquals(la, lb);
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        ModelConfig c = TinyModels.qwen2();
        Decoder d = TinyModels.random(c, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> d.logits(new int[] {1, c.vocabSize()}));
        assertEquals("token id 97 outside the vocabulary [0, 97)", e.getMessage());
    }

    @Test
    void identicalResultsAcrossRuns() {
        ModelConfig c = TinyModels.llama3();
        Decoder d = TinyModels.random(c, 8);
        int[] toks = randomTokens(30, c.vocabSize(), 1);
        assertArrayEquals(d.logits(toks), d.logits(toks));
    }
}
