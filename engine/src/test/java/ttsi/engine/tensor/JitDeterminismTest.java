package ttsi.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Element-wise ops must give the same bits before and after the JIT compiles them (seeded runs resume and
 * compare across whole processes). The first call runs interpreted; thousands of calls later it is compiled.
 */
class JitDeterminismTest {
    @Test
    void exponentialOpsDoNotDependOnJitState() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 1000;
        float[] g = new float[n], u = new float[n], d = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (r.nextGaussian() * 4);
            u[i] = (float) r.nextGaussian();
            d[i] = (float) r.nextGaussian();
        }
        float[] first = run(g, u, d);
        for (int i = 0; i < 20_000; i++) run(g, u, d); // warm up until compiled
        assertArrayEquals(first, run(g, u, d));
    }

    static float[] run(float[] g, float[] u, float[] d) {
        int n = g.length;
        float[] out = new float[5 * n];
        float[] sw = new float[n], dg = new float[n], du = new float[n], ex = g.clone();
        VectorOps.swiglu(g, u, sw, 0, n);
        VectorOps.swigluBackward(d, g, u, dg, du, 0, n);
        double sum = VectorOps.expShift(ex, 0, n, VectorOps.max(g, 0, n));
        System.arraycopy(sw, 0, out, 0, n);
        System.arraycopy(dg, 0, out, n, n);
        System.arraycopy(du, 0, out, 2 * n, n);
        System.arraycopy(ex, 0, out, 3 * n, n);
        out[4 * n] = (float) sum;
        return out;
    }

    @Test
    void expIsAccurateAndVectorAndScalarAgree() {
        float[] xs = new float[4096];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (r.nextDouble() * 170 - 87);
        float[] v = xs.clone();
        VectorOps.expShift(v, 0, v.length, 0f);
        for (int i = 0; i < xs.length; i++) {
            double exact = Math.exp(xs[i]);
            float scalar = VectorOps.exp(xs[i]);
            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(v[i]), "lane vs scalar at " + xs[i]);
            if (exact > 1e-37 && exact < 1e38) {
                org.junit.jupiter.api.Assertions.assertEquals(exact, scalar, 4e-7 * exact, "exp(" + xs[i] + ")");
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(1f, VectorOps.exp(0f));
        org.junit.jupiter.api.Assertions.assertTrue(VectorOps.exp(-1000f) < 1e-37f);
    }
}
