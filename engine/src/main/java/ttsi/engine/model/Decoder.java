package ttsi.engine.model;

import ttsi.engine.model.OpProfile.Op;
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

    private Matrix[][] transposed; // [layer][projection], built on first use

    /**
     * The linear layers' weights transposed, [layer][q, k, v, o, gate, up, down], each [in][out]: LoRA training
     * runs its forward on them with the backward kernels (~25% faster than the forward kernels on hundreds of
     * token rows). Built once, on first use, outside the Java heap. Null when the copy would take more than a
     * quarter of physical memory, or when the weights are in blocks (Q8_0, whose blocks run along rows: a
     * transposed copy could not hold the same values in as little memory); training then runs on the weights as
     * stored.
     */
    public synchronized Matrix[][] transposedLinears() {
        if (transposed != null) return transposed;
        long bytes = 0;
        for (Weights.Layer l : weights.layers()) {
            for (Matrix m : l.linears()) {
                if (!m.dtype().elementWise()) return null;
                bytes += m.dtype().matrixBytes(m.rows(), m.cols());
            }
        }
        if (bytes > physicalMemory() / 4) return null;
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofAuto();
        Matrix[][] t = new Matrix[weights.layers().length][];
        for (int i = 0; i < t.length; i++) t[i] = java.util.Arrays.stream(weights.layers()[i].linears()).map(m -> m.transposed(arena)).toArray(Matrix[]::new);
        return transposed = t;
    }

    private static long physicalMemory() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : Runtime.getRuntime().maxMemory();
    }

    public State newState() {
        return new State(config);
    }

    /** A fresh sequence whose forward passes use the adapter (null: the base model). */
    public State newState(Adapter adapter) {
        return new State(config, adapter, 256);
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
        long t0 = OpProfile.start();
        for (int t = 0; t < len; t++) {
            int id = tokens[off + t];
            if (id < 0 || id >= c.vocabSize()) throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + c.vocabSize() + ")");
            weights.embed().row(id, s.buffers.x, t * h);
        }
        ropeTables(s, pos0, len);
        OpProfile.add(Op.EMBED, t0);
        for (int l = 0; l < c.numLayers(); l++) {
            layer(p, l, s.buffers, s.keys[l], s.values[l], pos0, len, 0, s.cos, s.sin, s.linear);
        }
        s.length = pos0 + len;
        if (logitRows == 0) return new float[0];
        int first = len - logitRows;
        float[] normed = new float[logitRows * h];
        t0 = OpProfile.start();
        for (int t = 0; t < logitRows; t++) Ops.rmsNorm(s.buffers.x, (first + t) * h, weights.finalNorm(), normed, t * h, h, c.rmsNormEps());
        t0 = OpProfile.add(Op.NORM, t0);
        float[] logits = new float[logitRows * c.vocabSize()];
        MatMul.linear(p, normed, logitRows, weights.lmHead(), null, logits);
        OpProfile.add(Op.LM_HEAD, t0);
        return logits;
    }

    /** Logits for every position of a fresh sequence ([len][vocab]). */
    public float[] logits(int[] tokens) {
        return forward(newState(), tokens, 0, tokens.length, tokens.length);
    }

    /**
     * A linear layer as one forward pass runs it: rows [r0, len) of y = x·Wᵀ + bias, plus an adapter's low-rank path
     * if it has one. Inference adds the state's adapter ({@link State#linear}); training also keeps what the backward
     * of its adapter needs.
     */
    @FunctionalInterface
    public interface Linear {
        void apply(Parallel p, int layer, Projection projection, float[] x, int r0, int len, Matrix w, float[] bias, float[] y);
    }

    /**
     * Decoder layer l over rows [0, len) at positions pos0 .., in place on b.x; the one forward of a layer, for
     * inference and training alike. With a KV cache (inference), the rows' keys and values are appended to it and
     * attention reads it; without one (training, pos0 = 0) attention reads b.k and b.v. Rows before {@code from}
     * get their keys and values only: a training pass's last layer needs the rest only where a loss is. Buffers that
     * {@code b} leaves null (saved activations) are not written.
     */
    public void layer(Parallel p, int l, LayerBuffers b, float[] cacheKeys, float[] cacheValues, int pos0, int len, int from,
                      float[] cos, float[] sin, Linear linear) {
        ModelConfig c = config;
        Weights.Layer w = weights.layers()[l];
        int h = c.hiddenSize(), hd = c.headDim(), nh = c.numHeads(), nkv = c.numKvHeads(), kvDim = c.kvDim(), qDim = c.qDim();
        float eps = c.rmsNormEps();
        float[] x = b.x;

        // Attention block: x += o(attention(rope(q), rope(k), v)), q/k/v from norm(x).
        long t0 = OpProfile.start();
        if (b.xIn != null) System.arraycopy(x, 0, b.xIn, 0, len * h);
        for (int t = 0; t < len; t++) {
            float r = Ops.rmsNorm(x, t * h, w.inputNorm(), b.xn1, t * h, h, eps);
            if (b.rinv1 != null) b.rinv1[t] = r;
        }
        t0 = OpProfile.add(Op.NORM, t0);
        linear.apply(p, l, Projection.Q, b.xn1, 0, len, w.q(), w.qBias(), b.q);
        linear.apply(p, l, Projection.K, b.xn1, 0, len, w.k(), w.kBias(), b.k);
        linear.apply(p, l, Projection.V, b.xn1, 0, len, w.v(), w.vBias(), b.v);
        t0 = OpProfile.add(Op.QKV, t0);
        if (c.qkNorm()) {
            if (b.qRaw != null) {
                System.arraycopy(b.q, 0, b.qRaw, 0, len * qDim);
                System.arraycopy(b.k, 0, b.kRaw, 0, len * kvDim);
            }
            for (int i = 0; i < len * nh; i++) {
                float r = Ops.rmsNorm(b.q, i * hd, w.qNorm(), b.q, i * hd, hd, eps);
                if (b.qRinv != null) b.qRinv[i] = r;
            }
            for (int i = 0; i < len * nkv; i++) {
                float r = Ops.rmsNorm(b.k, i * hd, w.kNorm(), b.k, i * hd, hd, eps);
                if (b.kRinv != null) b.kRinv[i] = r;
            }
            t0 = OpProfile.add(Op.NORM, t0);
        }
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < nh; i++) Ops.rope(b.q, (t * nh + i) * hd, cos, sin, t * (hd / 2), hd / 2);
            for (int i = 0; i < nkv; i++) Ops.rope(b.k, (t * nkv + i) * hd, cos, sin, t * (hd / 2), hd / 2);
        }
        float[] keys = b.k, values = b.v;
        if (cacheKeys != null) {
            System.arraycopy(b.k, 0, cacheKeys, pos0 * kvDim, len * kvDim);
            System.arraycopy(b.v, 0, cacheValues, pos0 * kvDim, len * kvDim);
            keys = cacheKeys;
            values = cacheValues;
        }
        t0 = OpProfile.add(Op.ROPE, t0);
        Ops.attention(p, b.q, keys, values, b.att, len, pos0, nh, nkv, hd, c.slidingWindow(), b.softmaxStats);
        t0 = OpProfile.add(Op.ATTENTION, t0);
        linear.apply(p, l, Projection.O, b.att, from, len, w.o(), null, b.out);
        t0 = OpProfile.add(Op.O_PROJ, t0);
        for (int i = from * h; i < len * h; i++) x[i] += b.out[i];
        if (b.xMid != null) System.arraycopy(x, from * h, b.xMid, from * h, (len - from) * h);
        t0 = OpProfile.add(Op.RESIDUAL, t0);

        // MLP block: x += down(silu(gate(xn2)) * up(xn2)), xn2 = norm(x).
        for (int t = from; t < len; t++) {
            float r = Ops.rmsNorm(x, t * h, w.postAttentionNorm(), b.xn2, t * h, h, eps);
            if (b.rinv2 != null) b.rinv2[t] = r;
        }
        t0 = OpProfile.add(Op.NORM, t0);
        linear.apply(p, l, Projection.GATE, b.xn2, from, len, w.gate(), null, b.gate);
        linear.apply(p, l, Projection.UP, b.xn2, from, len, w.up(), null, b.up);
        t0 = OpProfile.add(Op.GATE_UP, t0);
        int inter = c.intermediateSize();
        Ops.swiglu(p, b.gate, b.up, b.act, from, len - from, inter);
        t0 = OpProfile.add(Op.SWIGLU, t0);
        linear.apply(p, l, Projection.DOWN, b.act, from, len, w.down(), null, b.out);
        t0 = OpProfile.add(Op.DOWN, t0);
        for (int i = from * h; i < len * h; i++) x[i] += b.out[i];
        OpProfile.add(Op.RESIDUAL, t0);
    }

    private void ropeTables(State s, int pos0, int len) {
        ropeTables(pos0, len, s.cos, s.sin);
    }

    /** cos/sin of every rotary angle for positions pos0 .. pos0+len-1, [len][headDim/2]. */
    public void ropeTables(int pos0, int len, float[] cos, float[] sin) {
        int half = config.headDim() / 2;
        for (int t = 0; t < len; t++) {
            float pos = pos0 + t;
            for (int i = 0; i < half; i++) {
                float angle = pos * invFreq[i]; // f32, as transformers computes it
                cos[t * half + i] = (float) Math.cos(angle);
                sin[t * half + i] = (float) Math.sin(angle);
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
