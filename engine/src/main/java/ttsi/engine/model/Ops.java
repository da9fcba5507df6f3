package ttsi.engine.model;

import java.util.Arrays;
import ttsi.engine.tensor.MatMul;
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

    /** Query rows per block of the per-head products (a multiple of the kernel's 6-row tile). */
    private static final int ROW_BLOCK = 48;

    private static final ThreadLocal<float[][]> HEAD_SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] headScratch(int n) {
        float[][] h = HEAD_SCRATCH.get();
        if (h[0].length < n) h[0] = new float[n];
        return h[0];
    }

    /** One kv head's keys or values transposed, [hd][positions]. */
    private static float[] transposedHead(float[] kv, int positions, int kvDim, int kvHead, int hd) {
        float[] h = new float[hd * positions];
        for (int s = 0; s < positions; s++) {
            int o = s * kvDim + kvHead * hd;
            for (int d = 0; d < hd; d++) h[d * positions + s] = kv[o + d];
        }
        return h;
    }

    /**
     * Same contract as {@link #attention}; per head, scores = Q·Kᵀ and out = P·V as register-tiled products over
     * blocks of query rows, each block only against the key positions it can see. Heads run in parallel, each on
     * one thread, so a head's results do not depend on the thread count.
     */
    static void attentionGemm(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                              int heads, int kvHeads, int hd, int window, float[] probs) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, span = pos0 + len;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[][] keysT = new float[kvHeads][];
        p.forEach(kvHeads, g -> keysT[g] = transposedHead(keys, span, kvDim, g, hd));
        p.forEach(heads, head -> {
            int g = head / group;
            float[] sc = probs != null ? probs : headScratch(len * span);
            int so = probs != null ? head * len * span : 0;
            for (int t0 = 0; t0 < len; t0 += ROW_BLOCK) {
                int t1 = Math.min(len, t0 + ROW_BLOCK), rows = t1 - t0, seen = pos0 + t1;
                Arrays.fill(sc, so + t0 * span, so + t1 * span, 0f);
                MatMul.productAccumulate(q, t0 * qDim + head * hd, qDim, 1, rows, keysT[g], 0, span, hd, sc, so + t0 * span, span, seen);
                for (int t = t0; t < t1; t++) {
                    softmaxRow(sc, so + t * span, pos0 + t, window, span, scale);
                    Arrays.fill(out, t * qDim + head * hd, t * qDim + head * hd + hd, 0f);
                }
                MatMul.productAccumulate(sc, so + t0 * span, span, 1, rows, values, g * hd, kvDim, seen, out, t0 * qDim + head * hd, qDim, hd);
            }
        });
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
     * dQ = dS·K, dK_h = dSᵀ·Q and dV_h = Pᵀ·dO, each only over the causally visible part; heads run in parallel
     * (one thread each), then dK and dV sum their query heads' parts in head order.
     */
    static void attentionBackwardGemm(Parallel p, float[] dOut, float[] probs, float[] q, float[] keys, float[] values,
                                      float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[][] valuesT = new float[kvHeads][];
        p.forEach(kvHeads, g -> valuesT[g] = transposedHead(values, len, kvDim, g, hd));
        float[] dkh = new float[heads * len * hd], dvh = new float[heads * len * hd];
        p.forEach(heads, head -> {
            int g = head / group, po = head * len * len, ho = head * len * hd;
            float[] dS = headScratch(len * len);
            for (int t0 = 0; t0 < len; t0 += ROW_BLOCK) {
                int t1 = Math.min(len, t0 + ROW_BLOCK), rows = t1 - t0;
                Arrays.fill(dS, t0 * len, t1 * len, 0f);
                MatMul.productAccumulate(dOut, t0 * qDim + head * hd, qDim, 1, rows, valuesT[g], 0, len, hd, dS, t0 * len, len, t1);
                for (int t = t0; t < t1; t++) {
                    int r = t * len;
                    double dot = 0;
                    for (int s = 0; s <= t; s++) dot += probs[po + r + s] * dS[r + s];
                    float d = (float) dot;
                    for (int s = 0; s <= t; s++) dS[r + s] = probs[po + r + s] * (dS[r + s] - d) * scale;
                    Arrays.fill(dS, r + t + 1, r + t1, 0f);
                    Arrays.fill(dq, t * qDim + head * hd, t * qDim + head * hd + hd, 0f);
                }
                MatMul.productAccumulate(dS, t0 * len, len, 1, rows, keys, g * hd, kvDim, t1, dq, t0 * qDim + head * hd, qDim, hd);
            }
            // Key rows s0..s1 receive from query rows t >= s0 only (dS and P vanish above the diagonal).
            for (int s0 = 0; s0 < len; s0 += ROW_BLOCK) {
                int s1 = Math.min(len, s0 + ROW_BLOCK);
                MatMul.productAccumulate(dS, s0 * len + s0, 1, len, s1 - s0, q, s0 * qDim + head * hd, qDim, len - s0, dkh, ho + s0 * hd, hd, hd);
                MatMul.productAccumulate(probs, po + s0 * len + s0, 1, len, s1 - s0, dOut, s0 * qDim + head * hd, qDim, len - s0, dvh, ho + s0 * hd, hd, hd);
            }
        });
        p.forEach(kvHeads, g -> {
            for (int s = 0; s < len; s++) {
                int o = s * kvDim + g * hd;
                Arrays.fill(dk, o, o + hd, 0f);
                Arrays.fill(dv, o, o + hd, 0f);
                for (int head = g * group; head < (g + 1) * group; head++) {
                    int ho = (head * len + s) * hd;
                    VectorOps.axpy(1f, dkh, ho, dk, o, hd);
                    VectorOps.axpy(1f, dvh, ho, dv, o, hd);
                }
            }
        });
    }
}
