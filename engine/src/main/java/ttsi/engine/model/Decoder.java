package ttsi.engine.model;

import java.util.Arrays;
import ttsi.engine.tensor.Matrix;
import ttsi.engine.tensor.MatMul;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.tensor.VectorOps;

/**
 * The decoder-only transformer shared by Qwen2/2.5, Llama 3.x/SmolLM2, Qwen3 and Mistral: pre-norm blocks of
 * grouped-query attention with rotary embeddings and a SwiGLU MLP, RMSNorm everywhere. Stateless apart from the
 * weights: each sequence's KV cache and scratch live in a {@link State}.
 */
public final class Decoder {

    private final ModelConfig config;
    private final Weights weights;
    private final float[] invFreq;

    public Decoder(ModelConfig config, Weights weights) {
        this.config = config;
        this.weights = weights;
        this.invFreq = inverseFrequencies(config);
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    public State newState() {
        return new State(config);
    }

    /**
     * Runs tokens[off .. off+len) at positions state.length() .. state.length()+len-1, appending their keys and
     * values to the cache, and returns the logits of the last {@code logitRows} of them ([logitRows][vocab]).
     */
    public float[] forward(State s, int[] tokens, int off, int len, int logitRows) {
        if (len <= 0) throw new IllegalArgumentException("no tokens");
        if (logitRows < 0 || logitRows > len) throw new IllegalArgumentException("logitRows " + logitRows + " not in [0, " + len + "]");
        ModelConfig c = config;
        Parallel p = Parallel.global();
        int h = c.hiddenSize(), pos0 = s.length;
        s.ensureCapacity(pos0 + len);
        s.ensureRows(len);
        for (int t = 0; t < len; t++) {
            int id = tokens[off + t];
            if (id < 0 || id >= c.vocabSize()) throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + c.vocabSize() + ")");
            weights.embed().row(id, s.x, t * h);
        }
        ropeTables(s, pos0, len);
        for (int l = 0; l < c.numLayers(); l++) {
            layer(p, s, l, pos0, len);
        }
        s.length = pos0 + len;
        if (logitRows == 0) return new float[0];
        int first = len - logitRows;
        float[] normed = new float[logitRows * h];
        for (int t = 0; t < logitRows; t++) rmsNorm(s.x, (first + t) * h, weights.finalNorm(), normed, t * h, h, c.rmsNormEps());
        float[] logits = new float[logitRows * c.vocabSize()];
        MatMul.linear(p, normed, logitRows, weights.lmHead(), null, logits);
        return logits;
    }

    /** Logits for every position of a fresh sequence ([len][vocab]). */
    public float[] logits(int[] tokens) {
        return forward(newState(), tokens, 0, tokens.length, tokens.length);
    }

    private void layer(Parallel p, State s, int l, int pos0, int len) {
        ModelConfig c = config;
        Weights.Layer w = weights.layers()[l];
        int h = c.hiddenSize(), hd = c.headDim(), nh = c.numHeads(), nkv = c.numKvHeads(), kvDim = c.kvDim(), qDim = c.qDim();
        float eps = c.rmsNormEps();

        // Attention block.
        for (int t = 0; t < len; t++) rmsNorm(s.x, t * h, w.inputNorm(), s.xn, t * h, h, eps);
        MatMul.linear(p, s.xn, len, w.q(), w.qBias(), s.q);
        MatMul.linear(p, s.xn, len, w.k(), w.kBias(), s.k);
        MatMul.linear(p, s.xn, len, w.v(), w.vBias(), s.v);
        if (c.qkNorm()) {
            for (int i = 0; i < len * nh; i++) rmsNorm(s.q, i * hd, w.qNorm(), s.q, i * hd, hd, eps);
            for (int i = 0; i < len * nkv; i++) rmsNorm(s.k, i * hd, w.kNorm(), s.k, i * hd, hd, eps);
        }
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < nh; i++) rotate(s.q, (t * nh + i) * hd, s, t);
            for (int i = 0; i < nkv; i++) rotate(s.k, (t * nkv + i) * hd, s, t);
        }
        System.arraycopy(s.k, 0, s.keys[l], pos0 * kvDim, len * kvDim);
        System.arraycopy(s.v, 0, s.values[l], pos0 * kvDim, len * kvDim);
        attention(p, s, l, pos0, len);
        MatMul.linear(p, s.att, len, w.o(), null, s.out);
        for (int i = 0; i < len * h; i++) s.x[i] += s.out[i];

        // MLP block: down(silu(gate(x)) * up(x)).
        for (int t = 0; t < len; t++) rmsNorm(s.x, t * h, w.postAttentionNorm(), s.xn, t * h, h, eps);
        MatMul.linear(p, s.xn, len, w.gate(), null, s.gate);
        MatMul.linear(p, s.xn, len, w.up(), null, s.up);
        int n = len * c.intermediateSize();
        for (int i = 0; i < n; i++) s.gate[i] = silu(s.gate[i]) * s.up[i];
        MatMul.linear(p, s.gate, len, w.down(), null, s.out);
        for (int i = 0; i < len * h; i++) s.x[i] += s.out[i];
    }

    /** Causal (optionally sliding-window) grouped-query attention of the len new queries over the cache. */
    private void attention(Parallel p, State s, int l, int pos0, int len) {
        ModelConfig c = config;
        int hd = c.headDim(), nh = c.numHeads(), kvDim = c.kvDim(), group = nh / c.numKvHeads(), qDim = c.qDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int window = c.slidingWindow();
        float[] keys = s.keys[l], values = s.values[l];
        p.forRange(len * nh, (from, to) -> {
            float[] scores = new float[pos0 + len];
            for (int i = from; i < to; i++) {
                int t = i / nh, head = i % nh, kvHead = head / group, pos = pos0 + t;
                int start = window > 0 ? Math.max(0, pos - window + 1) : 0;
                int qo = t * qDim + head * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = start; j <= pos; j++) {
                    float sc = VectorOps.dot(s.q, qo, keys, j * kvDim + kvHead * hd, hd) * scale;
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
                Arrays.fill(s.att, qo, qo + hd, 0f);
                for (int j = start; j <= pos; j++) VectorOps.axpy(scores[j] * inv, values, j * kvDim + kvHead * hd, s.att, qo, hd);
            }
        });
    }

    // ---- small ops ----

    static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    /** out = x / sqrt(mean(x²) + eps) · weight, over n elements (in-place allowed). */
    static void rmsNorm(float[] x, int xo, float[] weight, float[] out, int oo, int n, float eps) {
        float ss = VectorOps.sumOfSquares(x, xo, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[oo + i] = weight[i] * (x[xo + i] * inv);
    }

    /** Rotary embedding in the "rotate half" layout: pairs (i, i + hd/2). */
    private void rotate(float[] a, int off, State s, int t) {
        int half = config.headDim() / 2, to = t * half;
        for (int i = 0; i < half; i++) {
            float c = s.cos[to + i], sn = s.sin[to + i];
            float x0 = a[off + i], x1 = a[off + half + i];
            a[off + i] = x0 * c - x1 * sn;
            a[off + half + i] = x1 * c + x0 * sn;
        }
    }

    private void ropeTables(State s, int pos0, int len) {
        int half = config.headDim() / 2;
        for (int t = 0; t < len; t++) {
            float pos = pos0 + t;
            for (int i = 0; i < half; i++) {
                float angle = pos * invFreq[i]; // f32, as transformers computes it
                s.cos[t * half + i] = (float) Math.cos(angle);
                s.sin[t * half + i] = (float) Math.sin(angle);
            }
        }
    }

    static float[] inverseFrequencies(ModelConfig c) {
        int half = c.headDim() / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            double f = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim());
            ModelConfig.RopeScaling rs = c.ropeScaling();
            if (rs != null && rs.type().equals("llama3")) {
                double old = rs.originalMaxPositionEmbeddings();
                double lowWavelen = old / rs.lowFreqFactor(), highWavelen = old / rs.highFreqFactor();
                double wavelen = 2 * Math.PI / f;
                if (wavelen > lowWavelen) {
                    f = f / rs.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (old / wavelen - rs.lowFreqFactor()) / (rs.highFreqFactor() - rs.lowFreqFactor());
                    f = (1 - smooth) * f / rs.factor() + smooth * f;
                }
            }
            inv[i] = (float) f;
        }
        return inv;
    }
}
