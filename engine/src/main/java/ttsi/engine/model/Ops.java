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

    /**
     * From this many rows on, the SwiGLU ops run on every thread: each element stands alone, so the split changes no
     * bit; one decode row takes a few microseconds, less than a hand-off to the pool.
     */
    static final int SWIGLU_PARALLEL_ROWS = 8;

    /** Rows [from, from+rows) of width elements each, of gate, up and out. */
    public static void swiglu(Parallel p, float[] gate, float[] up, float[] out, int from, int rows, int width) {
        if (rows < SWIGLU_PARALLEL_ROWS) VectorOps.swiglu(gate, up, out, from * width, rows * width);
        else p.forRange(rows, (r0, r1) -> VectorOps.swiglu(gate, up, out, (from + r0) * width, (r1 - r0) * width));
    }

    /** Rows [from, from+rows) of width elements each, of every array. */
    public static void swigluBackward(Parallel p, float[] dOut, float[] gate, float[] up, float[] dGate, float[] dUp, int from, int rows, int width) {
        if (rows < SWIGLU_PARALLEL_ROWS) VectorOps.swigluBackward(dOut, gate, up, dGate, dUp, from * width, rows * width);
        else p.forRange(rows, (r0, r1) -> VectorOps.swigluBackward(dOut, gate, up, dGate, dUp, (from + r0) * width, (r1 - r0) * width));
    }

    // ---- Causal grouped-query attention ----

    /**
     * Attention of `len` queries at positions pos0.. over keys/values at positions 0..pos0+len-1.
     * q and out are [len][heads][hd]; keys/values are [positions][kvHeads][hd]. If stats is non-null it receives,
     * for the backward, each softmax row's statistics, [heads][len][2]: the largest raw score q·k and 1/Σ
     * e^((q·k − max)·scale); the backward recomputes the probabilities from them instead of storing len² of them
     * per head. window > 0 limits each query to the last `window` positions (Mistral's sliding window).
     */
    public static void attention(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                                 int heads, int kvHeads, int hd, int window, float[] stats) {
        if (len >= GEMM_ROWS) attentionGemm(p, q, keys, values, out, len, pos0, heads, kvHeads, hd, window, stats);
        else attentionRows(p, q, keys, values, out, len, pos0, heads, kvHeads, hd, window, stats);
    }

    /** First visible position of a query at pos. */
    private static int windowStart(int pos, int window) {
        return window > 0 ? Math.max(0, pos - window + 1) : 0;
    }

    /** {@link #attention} one query row and head at a time (decode and short prompts). */
    static void attentionRows(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                              int heads, int kvHeads, int hd, int window, float[] stats) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, span = pos0 + len;
        float scale = (float) (1.0 / Math.sqrt(hd));
        p.forRange(len * heads, (from, to) -> {
            float[] scores = new float[span];
            for (int i = from; i < to; i++) {
                int t = i / heads, head = i % heads, kvHead = head / group, pos = pos0 + t, start = windowStart(pos, window);
                int qo = t * qDim + head * hd;
                for (int j = start; j <= pos; j++) scores[j] = VectorOps.dot(q, qo, keys, j * kvDim + kvHead * hd, hd);
                VectorOps.softmax(scores, start, pos - start + 1, scale, stats, (head * len + t) * 2);
                Arrays.fill(out, qo, qo + hd, 0f);
                // out += Σ_j p_j·v_j as one product (the same FMAs in the same order as an axpy per position): its
                // accumulators stay in registers, and it is its own compile, not vector code inlined into this
                // lambda, where C2 was once seen running the axpy's FMA without its intrinsic (one object per FMA).
                MatMul.addProduct(scores, start, 1, 1, 1, values, start * kvDim + kvHead * hd, kvDim, pos - start + 1, out, qo, hd, hd);
            }
        });
    }

    /**
     * Backward of {@link #attention} for a fresh sequence (pos0 = 0): from dOut, the forward's softmax statistics
     * and q, k, v, computes dq, dk and dv (all overwritten). Same window as the forward.
     */
    public static void attentionBackward(Parallel p, float[] dOut, float[] stats, float[] q, float[] keys, float[] values,
                                         float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd, int window) {
        if (len >= GEMM_ROWS) attentionBackwardGemm(p, dOut, stats, q, keys, values, dq, dk, dv, len, heads, kvHeads, hd, window);
        else attentionBackwardRows(p, dOut, stats, q, keys, values, dq, dk, dv, len, heads, kvHeads, hd, window);
    }

    /**
     * {@link #attentionBackward} one query row at a time, each row's probabilities recomputed as the row path's
     * forward computed them; one thread owns each kv head, so the accumulation into shared dk/dv rows has a fixed order.
     */
    static void attentionBackwardRows(Parallel p, float[] dOut, float[] stats, float[] q, float[] keys, float[] values,
                                      float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd, int window) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        p.forEach(kvHeads, kvHead -> {
            for (int s = 0; s < len; s++) {
                Arrays.fill(dk, s * kvDim + kvHead * hd, s * kvDim + kvHead * hd + hd, 0f);
                Arrays.fill(dv, s * kvDim + kvHead * hd, s * kvDim + kvHead * hd + hd, 0f);
            }
            float[] pr = new float[len], dP = new float[len];
            for (int head = kvHead * group; head < (kvHead + 1) * group; head++) {
                for (int t = 0; t < len; t++) {
                    int qo = t * qDim + head * hd, start = windowStart(t, window), so = (head * len + t) * 2;
                    for (int s = start; s <= t; s++) pr[s] = VectorOps.dot(q, qo, keys, s * kvDim + kvHead * hd, hd);
                    VectorOps.softmaxFromStats(pr, start, t - start + 1, scale, stats, so);
                    double dot = 0;
                    for (int s = start; s <= t; s++) {
                        int ko = s * kvDim + kvHead * hd;
                        dP[s] = VectorOps.dot(dOut, qo, values, ko, hd);
                        dot += pr[s] * dP[s];
                        VectorOps.axpy(pr[s], dOut, qo, dv, ko, hd);
                    }
                    Arrays.fill(dq, qo, qo + hd, 0f);
                    for (int s = start; s <= t; s++) {
                        float dS = pr[s] * (dP[s] - (float) dot) * scale;
                        int ko = s * kvDim + kvHead * hd;
                        VectorOps.axpy(dS, keys, ko, dq, qo, hd);
                        VectorOps.axpy(dS, q, qo, dk, ko, hd);
                    }
                }
            }
        });
    }

    // ---- Attention as per-head matrix products (prefill and training: many query rows) ----

    /** From this many query rows on, attention runs as blocked matrix products instead of per-row dot products. */
    static final int GEMM_ROWS = 32;
    /** Query rows per block: a multiple of the kernels' 6-row tile; a score block is BLOCK x (positions + a panel). */
    static final int BLOCK = 48;

    /**
     * One kv head's keys or values transposed, [hd][width] with columns from `positions` on zero: the B operand
     * of Q·Kᵀ and dO·Vᵀ, padded so that those products run over whole register panels (their masked edge tiles
     * are slow).
     */
    private static float[] headColumns(float[] kv, int positions, int width, int kvDim, int kvHead, int hd) {
        float[] t = new float[hd * width];
        for (int s = 0; s < positions; s++) {
            int o = s * kvDim + kvHead * hd;
            for (int d = 0; d < hd; d++) t[d * width + s] = kv[o + d];
        }
        return t;
    }

    /**
     * Raw scores Q·Kᵀ of query rows [t0, t0+m) of one head over columns [c0, c0+n) (n a whole number of panels)
     * into sc rows of stride width, from the keys transposed (kt, [hd][width]). Forward and backward both run
     * this, so the backward's recomputed probabilities are the forward's bits.
     */
    private static void scores(float[] q, int qDim, int head, int hd, int t0, int m, float[] kt, int width, int c0, int n, float[] sc) {
        for (int i = 0; i < m; i++) Arrays.fill(sc, i * width + c0, i * width + c0 + n, 0f);
        MatMul.addProduct(q, t0 * qDim + head * hd, qDim, 1, m, kt, c0, width, hd, sc, c0, width, n);
    }

    /**
     * Same contract as {@link #attention}. Each task owns one head and a block of query rows and runs, on its own
     * thread: scores = Q·Kᵀ over the positions the block can see (causal: nothing right of the diagonal block;
     * with a window nothing left of it), each row's softmax, then out = P·V. Every element is summed in a fixed
     * order on one thread, so results do not depend on the thread count.
     */
    static void attentionGemm(Parallel p, float[] q, float[] keys, float[] values, float[] out, int len, int pos0,
                              int heads, int kvHeads, int hd, int window, float[] stats) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, span = pos0 + len, panel = MatMul.PRODUCT_PANEL;
        int width = span + panel; // score row stride: room for [c0, c0 + roundUp(c1 - c0, panel))
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[][] kt = new float[kvHeads][];
        for (int g = 0; g < kvHeads; g++) kt[g] = headColumns(keys, span, width, kvDim, g, hd);
        int blocks = (len + BLOCK - 1) / BLOCK;
        p.forRange(heads * blocks, (from, to) -> {
            float[] sc = new float[Math.min(BLOCK, len) * width];
            for (int u = from; u < to; u++) {
                int head = u / blocks, kvHead = head / group, t0 = u % blocks * BLOCK, m = Math.min(len, t0 + BLOCK) - t0;
                int c1 = pos0 + t0 + m, c0 = windowStart(pos0 + t0, window); // visible positions
                scores(q, qDim, head, hd, t0, m, kt[kvHead], width, c0, (c1 - c0 + panel - 1) / panel * panel, sc);
                for (int i = 0; i < m; i++) {
                    int o = i * width, pos = pos0 + t0 + i, start = windowStart(pos, window);
                    VectorOps.softmax(sc, o + start, pos - start + 1, scale, stats, (head * len + t0 + i) * 2);
                    Arrays.fill(sc, o + c0, o + start, 0f);
                    Arrays.fill(sc, o + pos + 1, o + c1, 0f);
                    Arrays.fill(out, (t0 + i) * qDim + head * hd, (t0 + i) * qDim + head * hd + hd, 0f);
                }
                MatMul.addProduct(sc, c0, width, 1, m, values, c0 * kvDim + kvHead * hd, kvDim, c1 - c0,
                        out, t0 * qDim + head * hd, qDim, hd);
            }
        });
    }

    /**
     * Same contract as {@link #attentionBackward}. One task per head, on its own thread, per block of query rows:
     * the probabilities P recomputed from the scores and the forward's statistics, dV_h += Pᵀ·dO, dP = dO·Vᵀ,
     * dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale, dQ = dS·K and dK_h += dSᵀ·Q, over the causal columns only. dV_h and
     * dK_h are formed transposed, [hd][s], so that the products stream rows of P and dS. A kv head's dK and dV are
     * then its query heads' parts added in head order, so results do not depend on the thread count.
     */
    static void attentionBackwardGemm(Parallel p, float[] dOut, float[] stats, float[] q, float[] keys, float[] values,
                                      float[] dq, float[] dk, float[] dv, int len, int heads, int kvHeads, int hd, int window) {
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, panel = MatMul.PRODUCT_PANEL;
        int width = (len + panel - 1) / panel * panel; // row stride of the P and dS blocks and of dK_hᵀ, dV_hᵀ
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[][] kt = new float[kvHeads][], vt = new float[kvHeads][];
        for (int g = 0; g < kvHeads; g++) {
            kt[g] = headColumns(keys, len, width, kvDim, g, hd);
            vt[g] = headColumns(values, len, width, kvDim, g, hd);
        }
        float[] dkT = new float[heads * hd * width], dvT = new float[heads * hd * width]; // [head][hd][width]
        p.forRange(heads, (h0, h1) -> {
            int rows = Math.min(BLOCK, len);
            float[] pb = new float[rows * width], ds = new float[rows * width]; // one block's P and dS
            for (int head = h0; head < h1; head++) {
                int g = head / group, ho = head * hd * width, qo = head * hd;
                for (int t0 = 0; t0 < len; t0 += BLOCK) {
                    int t1 = Math.min(len, t0 + BLOCK), m = t1 - t0, n = (t1 + panel - 1) / panel * panel;
                    // P, zero outside the causal window; the dV and dK products read whole panels.
                    scores(q, qDim, head, hd, t0, m, kt[g], width, 0, n, pb);
                    for (int i = 0; i < m; i++) {
                        int t = t0 + i, start = windowStart(t, window);
                        VectorOps.softmaxFromStats(pb, i * width + start, t - start + 1, scale, stats, (head * len + t) * 2);
                        Arrays.fill(pb, i * width, i * width + start, 0f);
                        Arrays.fill(pb, i * width + t + 1, i * width + n, 0f);
                    }
                    // dV_hᵀ[d][s] += Σ_t dO[t][d]·P[t][s].
                    MatMul.addProduct(dOut, t0 * qDim + qo, 1, qDim, hd, pb, 0, width, m, dvT, ho, width, n);
                    // dP = dO·Vᵀ, then dS in place.
                    for (int i = 0; i < m; i++) Arrays.fill(ds, i * width, i * width + n, 0f);
                    MatMul.addProduct(dOut, t0 * qDim + qo, qDim, 1, m, vt[g], 0, width, hd, ds, 0, width, n);
                    for (int i = 0; i < m; i++) {
                        int t = t0 + i;
                        VectorOps.softmaxBackward(pb, i * width, ds, i * width, t + 1, scale);
                        Arrays.fill(ds, i * width + t + 1, i * width + n, 0f);
                        Arrays.fill(dq, t * qDim + qo, t * qDim + qo + hd, 0f);
                    }
                    MatMul.addProduct(ds, 0, width, 1, m, keys, g * hd, kvDim, t1, dq, t0 * qDim + qo, qDim, hd);
                    // dK_hᵀ[d][s] += Σ_t Q[t][d]·dS[t][s].
                    MatMul.addProduct(q, t0 * qDim + qo, 1, qDim, hd, ds, 0, width, m, dkT, ho, width, n);
                }
            }
        });
        // Each (kv head, d) row: its query heads' dK_hᵀ and dV_hᵀ rows added in head order, then scattered into dk, dv.
        p.forRange(kvHeads * hd, (r0, r1) -> {
            float[] sk = new float[len], sv = new float[len];
            for (int r = r0; r < r1; r++) {
                int g = r / hd, col = g * hd + r % hd;
                Arrays.fill(sk, 0f);
                Arrays.fill(sv, 0f);
                for (int head = g * group; head < (g + 1) * group; head++) {
                    int from = (head * hd + r % hd) * width;
                    VectorOps.axpy(1f, dkT, from, sk, 0, len);
                    VectorOps.axpy(1f, dvT, from, sv, 0, len);
                }
                for (int s = 0; s < len; s++) {
                    dk[s * kvDim + col] = sk[s];
                    dv[s * kvDim + col] = sv[s];
                }
            }
        });
    }
}
