package ttsi.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CrossEntropyTest {
    @Test
    void lossAndGradientByFiniteDifferences() {
        int vocab = 7;
        float[] logits = {0.3f, -1.2f, 2.0f, 0.1f, 0.0f, -0.4f, 1.1f};
        int[] tokens = {0, 2}; // row 0 predicts tokens[1] = 2
        float[] g = logits.clone();
        double loss = Backprop.crossEntropyForwardBackward(g, 1, vocab, tokens, new int[] {0}, 1f);
        double z = 0;
        for (float l : logits) z += Math.exp(l);
        assertEquals(Math.log(z) - logits[2], loss, 1e-6);
        for (int i = 0; i < vocab; i++) {
            float[] a = logits.clone(), b = logits.clone();
            a[i] += 1e-3f;
            b[i] -= 1e-3f;
            double la = Backprop.crossEntropyForwardBackward(a, 1, vocab, tokens, new int[] {0}, 1f);
            double lb = Backprop.crossEntropyForwardBackward(b, 1, vocab, tokens, new int[] {0}, 1f);
            assertEquals((la - lb) / 2e-3, g[i], 1e-3, "d/dlogit " + i);
        }
    }
}
