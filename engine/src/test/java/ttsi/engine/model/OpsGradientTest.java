package ttsi.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import ttsi.engine.tensor.Parallel;

/**
 * Finite-difference checks of each op's backward: for a random projection L = Σ g ⊙ op(x), the analytic
 * ∂L/∂x from the backward must match (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h.
 */
class OpsGradientTest {
    static final SplittableRandom RND = new SplittableRandom(1);

    static float[] randn(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (RND.nextGaussian() * scale);
        return a;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Checks analytic against central differences of f at x (f returns the op's output). */
    static void check(String what, float[] x, float[] g, Function<float[], float[]> f, float[] analytic) {
        double h = 1e-3, maxErr = 0, maxAbs = 0;
        for (int i = 0; i < x.length; i++) {
            float keep = x[i];
            x[i] = (float) (keep + h);
            double up = dot(g, f.apply(x));
            x[i] = (float) (keep - h);
            double down = dot(g, f.apply(x));
            x[i] = keep;
            double numeric = (up - down) / (2 * h);
            maxErr = Math.max(maxErr, Math.abs(numeric - analytic[i]));
            maxAbs = Math.max(maxAbs, Math.abs(numeric));
        }
        assertTrue(maxErr <= 2e-2 * maxAbs + 1e-4, what + ": max error " + maxErr + " vs max |grad| " + maxAbs);
    }

    @Test
    void rmsNorm() {
        int n = 24;
        float[] x = randn(n, 1), w = randn(n, 1), g = randn(n, 1);
        float[] y = new float[n];
        float inv = Ops.rmsNorm(x, 0, w, y, 0, n, 1e-6f);
        float[] dx = new float[n];
        Ops.rmsNormBackward(g, 0, x, 0, w, inv, n, dx, 0, false);
        check("rmsNorm", x, g, xx -> {
            float[] o = new float[n];
            Ops.rmsNorm(xx, 0, w, o, 0, n, 1e-6f);
            return o;
        }, dx);
        // accumulate adds to what is there
        float[] acc = dx.clone();
        Ops.rmsNormBackward(g, 0, x, 0, w, inv, n, acc, 0, true);
        for (int i = 0; i < n; i++) assertTrue(Math.abs(acc[i] - 2 * dx[i]) < 1e-6);
    }

    @Test
    void rope() {
        int half = 8;
        float[] x = randn(2 * half, 1), g = randn(2 * half, 1), cos = new float[half], sin = new float[half];
        for (int i = 0; i < half; i++) {
            cos[i] = (float) Math.cos(0.7 * (i + 1));
            sin[i] = (float) Math.sin(0.7 * (i + 1));
        }
        float[] dx = g.clone();
        Ops.ropeBackward(dx, 0, cos, sin, 0, half);
        check("rope", x, g, xx -> {
            float[] o = xx.clone();
            Ops.rope(o, 0, cos, sin, 0, half);
            return o;
        }, dx);
    }

    @Test
    void swiglu() {
        int n = 20;
        float[] gate = randn(n, 2), up = randn(n, 1), g = randn(n, 1), dGate = new float[n], dUp = new float[n];
        Ops.swigluBackward(ttsi.engine.tensor.Parallel.global(), g, gate, up, dGate, dUp, 0, 10, 2); // 10 rows of 2: the split over threads
        check("swiglu/gate", gate, g, gg -> {
            float[] o = new float[n];
            Ops.swiglu(ttsi.engine.tensor.Parallel.global(), gg, up, o, 0, 10, 2);
            return o;
        }, dGate);
        check("swiglu/up", up, g, uu -> {
            float[] o = new float[n];
            Ops.swiglu(ttsi.engine.tensor.Parallel.global(), gate, uu, o, 0, 10, 2);
            return o;
        }, dUp);
    }

    @Test
    void attention() {
        Parallel p = new Parallel(2);
        int len = 5, heads = 4, kvHeads = 2, hd = 6;
        float[] q = randn(len * heads * hd, 1), k = randn(len * kvHeads * hd, 1), v = randn(len * kvHeads * hd, 1);
        float[] g = randn(len * heads * hd, 1);
        float[] out = new float[q.length], stats = new float[heads * len * 2];
        Ops.attention(p, q, k, v, out, len, 0, heads, kvHeads, hd, 0, stats);
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        Ops.attentionBackward(p, g, stats, q, k, v, dq, dk, dv, len, heads, kvHeads, hd, 0);
        Function<float[][], float[]> f = qkv -> {
            float[] o = new float[q.length];
            Ops.attention(p, qkv[0], qkv[1], qkv[2], o, len, 0, heads, kvHeads, hd, 0, null);
            return o;
        };
        check("attention/q", q, g, qq -> f.apply(new float[][] {qq, k, v}), dq);
        check("attention/k", k, g, kk -> f.apply(new float[][] {q, kk, v}), dk);
        check("attention/v", v, g, vv -> f.apply(new float[][] {q, k, vv}), dv);
        // sliding window
        Ops.attention(p, q, k, v, out, len, 0, heads, kvHeads, hd, 2, stats);
        Ops.attentionBackward(p, g, stats, q, k, v, dq, dk, dv, len, heads, kvHeads, hd, 2);
        Function<float[][], float[]> fw = qkv -> {
            float[] o = new float[q.length];
            Ops.attention(p, qkv[0], qkv[1], qkv[2], o, len, 0, heads, kvHeads, hd, 2, null);
            return o;
        };
        check("windowed attention/k", k, g, kk -> fw.apply(new float[][] {q, kk, v}), dk);
        p.close();
    }

    @Test
    void attentionAsMatrixProductsMatchesRowByRowAndItsBackward() {
        Parallel p = new Parallel(2);
        int len = Ops.GEMM_ROWS + 3, heads = 4, kvHeads = 2, hd = 4;
        float[] q = randn(len * heads * hd, 1), k = randn(len * kvHeads * hd, 1), v = randn(len * kvHeads * hd, 1);
        float[] g = randn(len * heads * hd, 1);
        float[] gemm = new float[q.length], stats = new float[heads * len * 2];
        Ops.attention(p, q, k, v, gemm, len, 0, heads, kvHeads, hd, 0, stats);
        // Row by row through the cached-decode path (one query at a time) gives the same outputs.
        float[] rows = new float[q.length];
        for (int t = 0; t < len; t++) {
            float[] one = new float[heads * hd];
            Ops.attention(p, java.util.Arrays.copyOfRange(q, t * heads * hd, (t + 1) * heads * hd), k, v, one, 1, t, heads, kvHeads, hd, 0, null);
            System.arraycopy(one, 0, rows, t * heads * hd, heads * hd);
        }
        for (int i = 0; i < q.length; i++) assertTrue(Math.abs(gemm[i] - rows[i]) < 1e-5, "element " + i);
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        Ops.attentionBackward(p, g, stats, q, k, v, dq, dk, dv, len, heads, kvHeads, hd, 0);
        Function<float[][], float[]> f = qkv -> {
            float[] o = new float[q.length];
            Ops.attention(p, qkv[0], qkv[1], qkv[2], o, len, 0, heads, kvHeads, hd, 0, null);
            return o;
        };
        check("gemm attention/q", q, g, qq -> f.apply(new float[][] {qq, k, v}), dq);
        check("gemm attention/k", k, g, kk -> f.apply(new float[][] {q, kk, v}), dk);
        check("gemm attention/v", v, g, vv -> f.apply(new float[][] {q, k, vv}), dv);
        p.close();
    }

    /** Several row blocks, head sizes that are and are not whole vectors, a KV cache prefix and a sliding window. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"100,4,2,16,0,0", "130,2,1,24,0,0", "97,4,4,64,0,0", "70,4,2,16,0,20", "60,4,2,8,45,0",
            "200,3,1,64,0,0", "150,2,2,128,30,0", "129,6,2,64,0,50", "96,4,2,64,0,0"})
    void blockedAttentionMatchesTheRowPathForwardAndBackward(int len, int heads, int kvHeads, int hd, int pos0, int window) {
        Parallel p = new Parallel(2);
        int span = pos0 + len;
        float[] q = randn(len * heads * hd, 1), k = randn(span * kvHeads * hd, 1), v = randn(span * kvHeads * hd, 1);
        float[] gemm = new float[q.length], rows = new float[q.length];
        float[] pg = new float[heads * len * 2], pr = new float[heads * len * 2];
        Ops.attentionGemm(p, q, k, v, gemm, len, pos0, heads, kvHeads, hd, window, pg);
        Ops.attentionRows(p, q, k, v, rows, len, pos0, heads, kvHeads, hd, window, pr);
        for (int i = 0; i < q.length; i++) assertTrue(Math.abs(gemm[i] - rows[i]) < 1e-5 * (1 + Math.abs(rows[i])), "out " + i + ": " + gemm[i] + " vs " + rows[i]);
        for (int i = 0; i < pg.length; i++) assertTrue(Math.abs(pg[i] - pr[i]) < 1e-5 * (1 + Math.abs(pr[i])), "softmax stats " + i + ": " + pg[i] + " vs " + pr[i]);
        // Without a statistics buffer (inference) the same outputs.
        float[] noProbs = new float[q.length];
        Ops.attentionGemm(p, q, k, v, noProbs, len, pos0, heads, kvHeads, hd, window, null);
        assertTrue(java.util.Arrays.equals(gemm, noProbs));
        // One thread gives bit-identical outputs and probabilities.
        try (Parallel one = new Parallel(1)) {
            float[] out1 = new float[q.length], p1 = new float[pg.length];
            Ops.attentionGemm(one, q, k, v, out1, len, pos0, heads, kvHeads, hd, window, p1);
            assertTrue(java.util.Arrays.equals(gemm, out1) && java.util.Arrays.equals(pg, p1));
        }
        if (pos0 == 0) {
            float[] g = randn(q.length, 1);
            float[] dq1 = new float[q.length], dk1 = new float[k.length], dv1 = new float[v.length];
            float[] dq2 = new float[q.length], dk2 = new float[k.length], dv2 = new float[v.length];
            Ops.attentionBackwardGemm(p, g, pg, q, k, v, dq1, dk1, dv1, len, heads, kvHeads, hd, window);
            Ops.attentionBackwardRows(p, g, pr, q, k, v, dq2, dk2, dv2, len, heads, kvHeads, hd, window);
            for (int i = 0; i < dq1.length; i++) assertTrue(Math.abs(dq1[i] - dq2[i]) < 1e-5 * (1 + Math.abs(dq2[i])), "dq " + i + ": " + dq1[i] + " vs " + dq2[i]);
            for (int i = 0; i < dk1.length; i++) assertTrue(Math.abs(dk1[i] - dk2[i]) < 1e-5 * (1 + Math.abs(dk2[i])), "dk " + i + ": " + dk1[i] + " vs " + dk2[i]);
            for (int i = 0; i < dv1.length; i++) assertTrue(Math.abs(dv1[i] - dv2[i]) < 1e-5 * (1 + Math.abs(dv2[i])), "dv " + i + ": " + dv1[i] + " vs " + dv2[i]);
            // One thread gives bit-identical gradients.
            Parallel one = new Parallel(1);
            float[] dq3 = new float[q.length], dk3 = new float[k.length], dv3 = new float[v.length];
            Ops.attentionBackwardGemm(one, g, pg, q, k, v, dq3, dk3, dv3, len, heads, kvHeads, hd, window);
            assertTrue(java.util.Arrays.equals(dq1, dq3) && java.util.Arrays.equals(dk1, dk3) && java.util.Arrays.equals(dv1, dv3));
            one.close();
        }
        p.close();
    }
}
