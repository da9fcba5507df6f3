package ttsi.engine.model;

import java.util.Arrays;
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
        for (int i = 0; i < n; i++) out[i] = silu(gate[i]) * up[i];
    }

    public static void swigluBackward(float[] dOut, float[] gate, float[] up, float[] dGate, float[] dUp, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i], sig = 1f / (1f + (float) Math.exp(-g));
            dUp[i] = dOut[i] * g * sig;
            dGate[i] = dOut[i] * up[i] * sig * (1f + g * (1f - sig));
        }
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
        int group = heads / kvHeads, kvDim = kvHeads * hd, qDim = heads * hd, span = pos0 + len;
        float scale = (float) (1.0 / Math.sqrt(hd));
        p.forRange(len * heads, (from, to) -> {
            float[] scores = new float[span];
            for (int i = from; i < to; i++) {
                int t = i / heads, head = i % heads, kvHead = head / group, pos = pos0 + t;
                int start = window > 0 ? Math.max(0, pos - window + 1) : 0;
                int qo = t * qDim + head * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = start; j <= pos; j++) {
                    float sc = VectorOps.dot(q, qo, keys, j * kvDim + kvHead * hd, hd) * scale;
                    scores[j] = sc;
                    if (sc > max) max = sc;
                }
                float sum = 0;
                for (int j = start; j <= pos; j++) {
                    float e = (float) Math.exp(scores[j] - max);
                    scores[j] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                Arrays.fill(out, qo, qo + hd, 0f);
                for (int j = start; j <= pos; j++) {
                    scores[j] *= inv;
                    VectorOps.axpy(scores[j], values, j * kvDim + kvHead * hd, out, qo, hd);
                }
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
}
