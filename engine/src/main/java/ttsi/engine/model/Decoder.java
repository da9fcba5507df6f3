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

    private Matrix[][] transposed; // [layer][Adapter.Q .. Adapter.DOWN], built on first use

    /**
     * The linear layers' weights transposed, [layer][q, k, v, o, gate, up, down], each [in][out]: LoRA training
     * runs its forward on them with the backward kernels (~25% faster than the forward kernels on hundreds of
     * token rows). Built once, on first use, outside the Java heap. Null when the copy would take more than a
     * quarter of physical memory; training then runs on the weights as stored.
     */
    public synchronized Matrix[][] transposedLinears() {
        if (transposed != null) return transposed;
        long bytes = 0;
        for (Weights.Layer l : weights.layers()) for (Matrix m : l.linears()) bytes += m.size() * m.dtype().bytes;
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
            weights.embed().row(id, s.x, t * h);
        }
        ropeTables(s, pos0, len);
        OpProfile.add(Op.EMBED, t0);
        for (int l = 0; l < c.numLayers(); l++) {
            layer(p, s, l, pos0, len);
        }
        s.length = pos0 + len;
        if (logitRows == 0) return new float[0];
        int first = len - logitRows;
        float[] normed = new float[logitRows * h];
        t0 = OpProfile.start();
        for (int t = 0; t < logitRows; t++) Ops.rmsNorm(s.x, (first + t) * h, weights.finalNorm(), normed, t * h, h, c.rmsNormEps());
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

    private void layer(Parallel p, State s, int l, int pos0, int len) {
        ModelConfig c = config;
        Weights.Layer w = weights.layers()[l];
        int h = c.hiddenSize(), hd = c.headDim(), nh = c.numHeads(), nkv = c.numKvHeads(), kvDim = c.kvDim(), qDim = c.qDim();
        float eps = c.rmsNormEps();

        // Attention block.
        long t0 = OpProfile.start();
        for (int t = 0; t < len; t++) Ops.rmsNorm(s.x, t * h, w.inputNorm(), s.xn, t * h, h, eps);
        t0 = OpProfile.add(Op.NORM, t0);
        linear(p, s, l, Adapter.Q, s.xn, len, w.q(), w.qBias(), s.q);
        linear(p, s, l, Adapter.K, s.xn, len, w.k(), w.kBias(), s.k);
        linear(p, s, l, Adapter.V, s.xn, len, w.v(), w.vBias(), s.v);
        t0 = OpProfile.add(Op.QKV, t0);
        if (c.qkNorm()) {
            for (int i = 0; i < len * nh; i++) Ops.rmsNorm(s.q, i * hd, w.qNorm(), s.q, i * hd, hd, eps);
            for (int i = 0; i < len * nkv; i++) Ops.rmsNorm(s.k, i * hd, w.kNorm(), s.k, i * hd, hd, eps);
            t0 = OpProfile.add(Op.NORM, t0);
        }
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < nh; i++) Ops.rope(s.q, (t * nh + i) * hd, s.cos, s.sin, t * (hd / 2), hd / 2);
            for (int i = 0; i < nkv; i++) Ops.rope(s.k, (t * nkv + i) * hd, s.cos, s.sin, t * (hd / 2), hd / 2);
        }
        System.arraycopy(s.k, 0, s.keys[l], pos0 * kvDim, len * kvDim);
        System.arraycopy(s.v, 0, s.values[l], pos0 * kvDim, len * kvDim);
        t0 = OpProfile.add(Op.ROPE, t0);
        Ops.attention(p, s.q, s.keys[l], s.values[l], s.att, len, pos0, nh, nkv, hd, c.slidingWindow(), null);
        t0 = OpProfile.add(Op.ATTENTION, t0);
        linear(p, s, l, Adapter.O, s.att, len, w.o(), null, s.out);
        t0 = OpProfile.add(Op.O_PROJ, t0);
        for (int i = 0; i < len * h; i++) s.x[i] += s.out[i];
        t0 = OpProfile.add(Op.RESIDUAL, t0);

        // MLP block: down(silu(gate(x)) * up(x)).
        for (int t = 0; t < len; t++) Ops.rmsNorm(s.x, t * h, w.postAttentionNorm(), s.xn, t * h, h, eps);
        t0 = OpProfile.add(Op.NORM, t0);
        linear(p, s, l, Adapter.GATE, s.xn, len, w.gate(), null, s.gate);
        linear(p, s, l, Adapter.UP, s.xn, len, w.up(), null, s.up);
        t0 = OpProfile.add(Op.GATE_UP, t0);
        int n = len * c.intermediateSize();
        Ops.swiglu(s.gate, s.up, s.gate, 0, n);
        t0 = OpProfile.add(Op.SWIGLU, t0);
        linear(p, s, l, Adapter.DOWN, s.gate, len, w.down(), null, s.out);
        t0 = OpProfile.add(Op.DOWN, t0);
        for (int i = 0; i < len * h; i++) s.x[i] += s.out[i];
        OpProfile.add(Op.RESIDUAL, t0);
    }

    /** A base linear layer plus the state's adapter, if any (the low-rank path; never a merged weight). */
    private static void linear(Parallel p, State s, int layer, int module, float[] x, int rows, Matrix w, float[] bias, float[] y) {
        MatMul.linear(p, x, rows, w, bias, y);
        if (s.adapter != null) s.adapter.addDelta(p, layer, module, x, rows, y);
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
