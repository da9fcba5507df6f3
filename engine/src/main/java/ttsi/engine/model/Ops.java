package ttsi.engine.model;

import java.util.Arrays;
import ttsi.engine.tensor.MatMul;
import ttsi.engine.tensor.Matrix;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.tensor.VectorOps;

/**
 * The decoder's non-GEMM operations, each forward next to its backward (llm.c style). Row-major f32 arrays
 * with explicit offsets; the backward of an op takes the forward's saved inputs and the output gradient.
 */
public final class Ops {
    private Ops() {}

    // ---- RMSNorm: y = x / sqrt(mean(x²) + eps) · w ----

    /** Normalises n values of x into out (in-place allowed); returns 1/rms for the backward. */
    public static float rmsNorm(float[] x, int xo, float[] w, float[] out, int oo, int n, float eps) {
        float inv = (float) (1.0 / Math.sqrt(VectorOps.sumOfSquares(x, xo, n) / n + eps));
        for (int i = 0; i < n; i++) out[oo + i] = w[i] * (x[xo + i] * inv);
        return inv;
    }

    /** dx (+)= ∂y/∂x · dy, given the forward's input x and 1/rms. Norm weights are frozen (no dw). */
    public static void rmsNormBackward(float[] dy, int dyo, float[] x, int xo, float[] w, float inv, int n,
                                       float[] dx, int dxo, boolean accumulate) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double) w[i] * dy[dyo + i] * x[xo + i];
        float c = (float) (dot * inv * inv * inv / n);
        for (int i = 0; i < n; i++) {
            float g = inv * w[i] * dy[dyo + i] - c * x[xo + i];
            dx[dxo + i] = accumulate ? dx[dxo + i] + g : g;
        }
    }

    /** dw += ∂y/∂w · dy = Σ dy ⊙ x/rms (for full-parameter training). */
    public static void rmsNormWeightGrad(float[] dy, int dyo, float[] x, int xo, float inv, int n, float[] dw) {
        for (int i = 0; i < n; i++) dw[i] += dy[dyo + i] * x[xo + i] * inv;
    }

    // ---- Rotary embedding, "rotate half" layout: pairs (i, i + hd/2) ----

    public static void rope(float[] a, int off, float[] cos, float[] sin, int co, int half) {
        for (int i = 0; i < half; i++) {
            float c = cos[co + i], s = sin[co + i], x0 = a[off + i], x1 = a[off + half + i];
            a[off + i] = x0 * c - x1 * s;
            a[off + half + i] = x1 * c + x0 * s;
        }
    }

    /** The rotation is orthogonal: its backward rotates the gradient by the opposite angle (in place). */
    public static void ropeBackward(float[] d, int off, float[] cos, float[] sin, int co, int half) {
        for (int i = 0; i < half; i++) {
            float c = cos[co + i], s = sin[co + i], d0 = d[off + i], d1 = d[off + half + i];
            d[off + i] = d0 * c + d1 * s;
            d[off + half + i] = d1 * c - d0 * s;
        }
    }

    // ---- SwiGLU: h = silu(gate) · up ----

    public static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    public static void swiglu(float[] gate, float[] up, float[] out, int n) {
        VectorOps.swiglu(gate, up, out, n);
    }

    public static void swigluBackward(float[] dOut, float[] gate, float[] up, float[] dGate, float[] dUp, int n) {
        VectorOps.swigluBackward(dOut, gate, up, dGate, dUp, n);
    }

    // ---- Causal grouped-query attention ----

    /**
     * Attention of `len` queries at positions pos0.. over keys/values at positions 0..pos0+len-1.
     * q and out are [len][heads][hd]; keys/values are [positions][kvHeads][hd]. If probs is non-null it receives
     * the softmax rows, [heads][len][pos0+len] (for the backward). window > 0 limits each query to the last
     * `window` positions (Mistral's sliding window).
     */
    public static void attention(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                                 int heads, int kvHeads, int hd, int window, float[] probs) {
        if (len >= GEMM_ROWS) attentionGemm(p, q, keys, values, out, len, pos0, heads, kvHeads, hd, window, probs);
        else attentionRows(p, q, keys, values, out, len, pos0, heads, kvHeads, hd, window, probs);
    }

    /** {@link #attention} one query row and head at a time (decode and short prompts). */
    static void attentionRows(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                              int heads, int kvHeads, int hd, int window, float[] probs) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, span = pos0 + len;
        float scale = (float) (1.0 / Math.sqrt(hd));
        p.forRange(len * heads, (from, to) -> {
            float[] scores = new float[span];
            for (int i = from; i < to; i++) {
                int t = i / heads, head = i % heads, kvHead = head / group, pos = pos0 + t;
                int start = window > 0 ? Math.max(0, pos - window + 1) : 0;
                int qo = t * qDim + head * hd;
                for (int j = start; j <= pos; j++) scores[j] = VectorOps.dot(q, qo, keys, j * kvDim + kvHead * hd, hd) * scale;
                int n = pos - start + 1;
                float max = VectorOps.max(scores, start, n);
                double sum = VectorOps.expShift(scores, start, n, max);
                VectorOps.scale(scores, start, n, (float) (1 / sum));
                Arrays.fill(out, qo, qo + hd, 0f);
                for (int j = start; j <= pos; j++) VectorOps.axpy(scores[j], values, j * kvDim + kvHead * hd, out, qo, hd);
                if (probs != null) {
                    int po = (head * len + t) * span;
                    Arrays.fill(probs, po, po + span, 0f);
                    System.arraycopy(scores, start, probs, po + start, pos - start + 1);
                }
            }
        });
    }

    /**
     * Backward of {@link #attention} for a fresh sequence (pos0 = 0): from dOut and the saved probs, q, k, v,
     * computes dq (overwritten) and dk, dv (overwritten). One thread owns each kv head, so the accumulation
     * into shared dk/dv rows has a fixed order.
     */
    public static void attentionBackward(Parallel p, float[] dOut, float[] probs, float[] q, float[] keys, float[] values,
                                         float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd) {
        if (len >= GEMM_ROWS) attentionBackwardGemm(p, dOut, probs, q, keys, values, dq, dk, dv, len, heads, kvHeads, hd);
        else attentionBackwardRows(p, dOut, probs, q, keys, values, dq, dk, dv, len, heads, kvHeads, hd);
    }

    /** {@link #attentionBackward} one query row at a time; one thread owns each kv head. */
    static void attentionBackwardRows(Parallel p, float[] dOut, float[] probs, float[] q, float[] keys, float[] values,
                                      float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        p.forEach(kvHeads, kvHead -> {
            for (int s = 0; s < len; s++) {
                Arrays.fill(dk, s * kvDim + kvHead * hd, s * kvDim + kvHead * hd + hd, 0f);
                Arrays.fill(dv, s * kvDim + kvHead * hd, s * kvDim + kvHead * hd + hd, 0f);
            }
            float[] dP = new float[len];
            for (int head = kvHead * group; head < (kvHead + 1) * group; head++) {
                for (int t = 0; t < len; t++) {
                    int qo = t * qDim + head * hd, po = (head * len + t) * len;
                    double dot = 0;
                    for (int s = 0; s <= t; s++) {
                        float pr = probs[po + s];
                        if (pr == 0f) {
                            dP[s] = 0;
                            continue;
                        }
                        int ko = s * kvDim + kvHead * hd;
                        dP[s] = VectorOps.dot(dOut, qo, values, ko, hd);
                        dot += pr * dP[s];
                        VectorOps.axpy(pr, dOut, qo, dv, ko, hd);
                    }
                    Arrays.fill(dq, qo, qo + hd, 0f);
                    for (int s = 0; s <= t; s++) {
                        float pr = probs[po + s];
                        if (pr == 0f) continue;
                        float dS = pr * (dP[s] - (float) dot) * scale;
                        int ko = s * kvDim + kvHead * hd;
                        VectorOps.axpy(dS, keys, ko, dq, qo, hd);
                        VectorOps.axpy(dS, q, qo, dk, ko, hd);
                    }
                }
            }
        });
    }

    // ---- Attention as per-head matrix products (prefill and training: many query rows) ----

    /** From this many query rows on, attention runs as GEMMs over whole heads instead of per-row dot products. */
    static final int GEMM_ROWS = 32;

    /** One kv head's keys or values as a contiguous [positions][hd] matrix. */
    private static float[] headRows(float[] kv, int positions, int kvDim, int kvHead, int hd) {
        float[] h = new float[positions * hd];
        for (int s = 0; s < positions; s++) System.arraycopy(kv, s * kvDim + kvHead * hd, h, s * hd, hd);
        return h;
    }

    /** Same contract as {@link #attention}; scores = Q·Kᵀ and out = P·V per head with the kernels. */
    static void attentionGemm(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                              int heads, int kvHeads, int hd, int window, float[] probs) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, span = pos0 + len;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] scratch = probs != null ? null : new float[len * span];
        for (int kvHead = 0; kvHead < kvHeads; kvHead++) {
            Matrix kh = Matrix.ofFloats(headRows(keys, span, kvDim, kvHead, hd), span, hd);
            Matrix vh = Matrix.ofFloats(headRows(values, span, kvDim, kvHead, hd), span, hd);
            for (int head = kvHead * group; head < (kvHead + 1) * group; head++) {
                float[] sc = probs != null ? probs : scratch;
                int so = probs != null ? head * len * span : 0;
                MatMul.linear(p, q, head * hd, qDim, len, kh, 0, span, null, sc, so, span);
                p.forRange(len, (from, to) -> {
                    for (int t = from; t < to; t++) softmaxRow(sc, so + t * span, pos0 + t, window, span, scale);
                });
                MatMul.linearBackwardInput(p, sc, so, span, len, vh, out, head * hd, qDim, false);
            }
        }
    }

    /** Scaled, causally (and window-) masked softmax of one score row, in place; masked entries become 0. */
    private static void softmaxRow(float[] sc, int o, int pos, int window, int span, float scale) {
        int start = window > 0 ? Math.max(0, pos - window + 1) : 0, n = pos - start + 1;
        VectorOps.scale(sc, o + start, n, scale);
        float max = VectorOps.max(sc, o + start, n);
        double sum = VectorOps.expShift(sc, o + start, n, max);
        VectorOps.scale(sc, o + start, n, (float) (1 / sum));
        java.util.Arrays.fill(sc, o, o + start, 0f);
        java.util.Arrays.fill(sc, o + pos + 1, o + span, 0f);
    }

    /**
     * Same contract as {@link #attentionBackward}: per head, dP = dO·Vᵀ, dS = P⊙(dP − rowsum(P⊙dP))·scale,
     * dQ = dS·K, and per kv head dK += dSᵀ·Q, dV += Pᵀ·dO over its query heads in order.
     */
    static void attentionBackwardGemm(Parallel p, float[] dOut, float[] probs, float[] q, float[] keys, float[] values,
                                      float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] dS = new float[len * len], qh = new float[len * hd], doh = new float[len * hd];
        for (int kvHead = 0; kvHead < kvHeads; kvHead++) {
            Matrix kh = Matrix.ofFloats(headRows(keys, len, kvDim, kvHead, hd), len, hd);
            Matrix vh = Matrix.ofFloats(headRows(values, len, kvDim, kvHead, hd), len, hd);
            float[] dkh = new float[len * hd], dvh = new float[len * hd];
            for (int head = kvHead * group; head < (kvHead + 1) * group; head++) {
                int po = head * len * len;
                MatMul.linear(p, dOut, head * hd, qDim, len, vh, 0, len, null, dS, 0, len);
                p.forRange(len, (from, to) -> {
                    for (int t = from; t < to; t++) {
                        int r = t * len;
                        double dot = 0;
                        for (int s = 0; s <= t; s++) dot += probs[po + r + s] * dS[r + s];
                        float d = (float) dot;
                        for (int s = 0; s < len; s++) dS[r + s] = probs[po + r + s] * (dS[r + s] - d) * scale;
                    }
                });
                MatMul.linearBackwardInput(p, dS, 0, len, len, kh, dq, head * hd, qDim, false);
                for (int t = 0; t < len; t++) {
                    System.arraycopy(q, t * qDim + head * hd, qh, t * hd, hd);
                    System.arraycopy(dOut, t * qDim + head * hd, doh, t * hd, hd);
                }
                MatMul.linearBackwardWeight(p, dS, qh, len, len, hd, dkh);
                MatMul.linearBackwardWeight(p, java.util.Arrays.copyOfRange(probs, po, po + len * len), doh, len, len, hd, dvh);
            }
            for (int s = 0; s < len; s++) {
                System.arraycopy(dkh, s * hd, dk, s * kvDim + kvHead * hd, hd);
                System.arraycopy(dvh, s * hd, dv, s * kvDim + kvHead * hd, hd);
            }
        }
    }
}
