package ttsi.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static ttsi.engine.tensor.KernelTestSupport.assertBitsEqual;
import static ttsi.engine.tensor.KernelTestSupport.randomFloats;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorOpsTest {

    private static final int[] SIZES = {0, 1, 3, 15, 16, 17, 33, 63, 64, 65, 127, 200, 896, 1001};

    @Test
    void dotAndSumOfSquaresMatchReference() {
        Random r = new Random(1);
        for (int n : SIZES) {
            float[] a = randomFloats(r, n + 5), b = randomFloats(r, n + 7);
            double ref = 0, ss = 0, max = 1e-30;
            for (int i = 0; i < n; i++) {
                ref += (double) a[2 + i] * b[4 + i];
                ss += (double) a[2 + i] * a[2 + i];
                max = Math.max(max, Math.abs((double) a[2 + i] * b[4 + i]));
            }
            // Relative to the magnitude of the terms: a dot product may cancel to near zero.
            assertEquals(ref, VectorOps.dot(a, 2, b, 4, n), 1e-5 * Math.max(max * Math.sqrt(n), Math.abs(ref)) + 1e-30, "dot n=" + n);
            assertEquals(ss, VectorOps.sumOfSquares(a, 2, n), 1e-5 * ss + 1e-30, "sumOfSquares n=" + n);
        }
    }

    @Test
    void reductionsDoNotDependOnJitState() {
        // The first calls may run interpreted, later ones compiled: the bits must not change.
        Random r = new Random(2);
        float[] a = randomFloats(r, 1001), b = randomFloats(r, 1001);
        float d0 = VectorOps.dot(a, 0, b, 0, 1001), s0 = VectorOps.sumOfSquares(a, 0, 1001);
        for (int i = 0; i < 30_000; i++) {
            float d = VectorOps.dot(a, 0, b, 0, 1001), s = VectorOps.sumOfSquares(a, 0, 1001);
            if (Float.floatToRawIntBits(d) != Float.floatToRawIntBits(d0) || Float.floatToRawIntBits(s) != Float.floatToRawIntBits(s0)) {
                throw new AssertionError("changed at iteration " + i);
            }
        }
    }

    @Test
    void axpyAndScaleAreExactPerElement() {
        Random r = new Random(3);
        for (int n : SIZES) {
            float[] x = randomFloats(r, n + 3), y = randomFloats(r, n + 9), y0 = y.clone();
            float alpha = r.nextFloat() * 4 - 2;
            VectorOps.axpy(alpha, x, 3, y, 9, n);
            float[] want = y0.clone();
            for (int i = 0; i < n; i++) want[9 + i] = Math.fma(x[3 + i], alpha, y0[9 + i]);
            assertBitsEqual(want, y, "axpy n=" + n);

            float[] z = randomFloats(r, n + 1), z0 = z.clone();
            VectorOps.scale(z, 1, n, alpha);
            for (int i = 0; i < n; i++) z0[1 + i] = z0[1 + i] * alpha;
            assertBitsEqual(z0, z, "scale n=" + n);
        }
    }

    @Test
    void softmaxAndItsBackwardMatchADoubleReference() {
        Random r = new Random(4);
        for (int n : SIZES) {
            if (n == 0) continue;
            float scale = 0.125f + r.nextFloat();
            float[] x = randomFloats(r, n + 6);
            for (int i = 0; i < x.length; i++) x[i] *= 8;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, x[3 + i]);
            double[] p = new double[n];
            for (int i = 0; i < n; i++) sum += p[i] = Math.exp((x[3 + i] - max) * scale);
            float[] y = x.clone();
            VectorOps.softmax(y, 3, n, scale);
            for (int i = 0; i < n; i++) assertEquals(p[i] / sum, y[3 + i], 2e-6 * (p[i] / sum) + 1e-9, "softmax n=" + n + " i=" + i);
            // With statistics kept, the same row, and recomputed from them, the same bits again.
            float[] stats = new float[3], y2 = x.clone(), z = x.clone();
            VectorOps.softmax(y2, 3, n, scale, stats, 1);
            assertBitsEqual(y, y2, "softmax with stats n=" + n);
            VectorOps.softmaxFromStats(z, 3, n, scale, stats, 1);
            assertBitsEqual(y, z, "softmaxFromStats n=" + n);
            for (int i = 0; i < 3; i++) assertEquals(x[i], y[i], "before the row");
            for (int i = 3 + n; i < x.length; i++) assertEquals(x[i], y[i], "after the row");

            float[] g = randomFloats(r, n + 2), dx = g.clone();
            VectorOps.softmaxBackward(y, 3, dx, 2, n, scale);
            double dot = 0;
            for (int i = 0; i < n; i++) dot += (double) y[3 + i] * g[2 + i];
            for (int i = 0; i < n; i++) {
                double want = y[3 + i] * (g[2 + i] - dot) * scale;
                assertEquals(want, dx[2 + i], 1e-5 * (Math.abs(want) + y[3 + i]) + 1e-7, "softmaxBackward n=" + n + " i=" + i);
            }
        }
    }
}
