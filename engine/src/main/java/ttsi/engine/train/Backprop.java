package ttsi.engine.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.LayerBuffers;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.Ops;
import ttsi.engine.model.Projection;
import ttsi.engine.model.TrainableWeights;
import ttsi.engine.model.Weights;
import ttsi.engine.tensor.MatMul;
import ttsi.engine.tensor.Matrix;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.tensor.VectorOps;

/**
 * Causal-LM loss and its gradient through the decoder: for a LoRA adapter's parameters over frozen base weights, or
 * (with a {@link TrainableWeights} sink, {@link FullBackprop}) for every weight, with or without an adapter. The
 * forward is the decoder's own ({@link Decoder#layer}), run on per-layer buffers that keep every activation the
 * backward needs; the backward walks the layers in reverse, each op's backward mirroring its forward (see
 * {@link Ops}). Gradients accumulate into the grad arrays.
 */
public final class Backprop {

    /** Sum of the token losses and how many target tokens there were. */
    public record Loss(double sum, int count) {
        public double mean() {
            return count == 0 ? 0 : sum / count;
        }
    }

    private final ModelConfig c;
    private final Weights w;
    private final Decoder decoder;
    private LoraAdapter adapter; // null: no adapter (full-parameter training)
    private final TrainableWeights full; // null: base weights frozen
    private final Matrix[][] transposed; // the frozen linear weights transposed, or null
    private SplittableRandom dropoutRng;
    boolean restrictLastLayer = true; // tests turn it off to compare with the full computation

    // Saved activations and scratch, for sequences of up to cap tokens.
    private int cap;
    private LayerBuffers[] saved; // [layer]: every activation of the forward (Decoder.layer, the same as inference's)
    private float[][][] loraU, loraIn, loraMask; // [layer][module]: x·Aᵀ [rows*r]; with dropout, drop(x) and its 0-or-1/(1-p) mask
    private float[] x, xnF, rinvF, cos, sin;
    // Gradient scratch.
    private float[] dx, dxn, dq, dk, dv, datt, dgate, dup, dact;

    public Backprop(Decoder decoder, LoraAdapter adapter) {
        this(decoder, java.util.Objects.requireNonNull(adapter, "adapter"), null);
    }

    /** With full != null, also accumulates every base weight's gradient; the decoder must run on full.weights(). */
    Backprop(Decoder decoder, LoraAdapter adapter, TrainableWeights full) {
        if (full != null && decoder.weights() != full.weights()) throw new IllegalArgumentException("the decoder does not run on the trainable weights");
        this.decoder = decoder;
        this.c = decoder.config();
        this.w = decoder.weights();
        this.adapter = adapter;
        this.full = full;
        this.transposed = full == null ? decoder.transposedLinears() : null;
        this.dropoutRng = new SplittableRandom((adapter == null ? 0 : adapter.config().seed()) ^ 0x5DEECE66DL);
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    /**
     * Points this pass at another adapter, keeping its activation buffers when the adapter has the same shape
     * (targets, rank, dropout): test-time training adapts a fresh adapter per input, and re-allocating (and
     * first-touching) the buffers of a long prompt each time cost as much as a training step. Every buffer is
     * written before it is read, so reuse changes no result.
     */
    public void rebind(LoraAdapter next) {
        java.util.Objects.requireNonNull(next, "adapter");
        if (full != null) throw new IllegalStateException("a full-parameter pass has no adapter to rebind");
        if (!next.config().withSeed(0).equals(adapter.config().withSeed(0))) release();
        adapter = next;
        dropoutRng = new SplittableRandom(next.config().seed() ^ 0x5DEECE66DL);
    }

    /**
     * Forward and backward over one sequence. Token t is a target when target[t] (t ≥ 1): its loss is
     * -log p(tokens[t] | tokens[<t]). Gradients of lossScale · Σ losses are added to the adapter's grads.
     */
    public Loss forwardBackward(int[] tokens, boolean[] target, float lossScale) {
        if (tokens.length < 2) throw new IllegalArgumentException("a training sequence needs at least 2 tokens");
        if (target.length != tokens.length) throw new IllegalArgumentException("target mask length " + target.length + " != tokens " + tokens.length);
        int len = tokens.length - 1; // the last token is only ever a target
        int[] rowPos = java.util.stream.IntStream.range(1, tokens.length).filter(t -> target[t]).map(t -> t - 1).toArray();
        int rows = rowPos.length; // rowPos[r]: the position whose output predicts the r-th target
        if (rows == 0) return new Loss(0, 0);
        ensure(len);
        Parallel p = Parallel.global();
        forward(p, tokens, len, restrictLastLayer ? rowPos[0] : 0);
        int h = c.hiddenSize(), vocab = c.vocabSize();

        // Logits only where there is a target; cross-entropy and its gradient.
        float[] normed = new float[rows * h];
        for (int r = 0; r < rows; r++) System.arraycopy(xnF, rowPos[r] * h, normed, r * h, h);
        float[] logits = new float[rows * vocab];
        MatMul.linear(p, normed, rows, w.lmHead(), null, logits);
        double lossSum = crossEntropyForwardBackward(logits, rows, vocab, tokens, rowPos, lossScale);
        float[] dNormed = new float[rows * h];
        MatMul.linearBackwardInput(p, logits, rows, w.lmHead(), dNormed, false);
        if (full != null) MatMul.linearBackwardWeight(p, logits, normed, rows, vocab, h, full.lmHeadGrad());
        Arrays.fill(dx, 0, len * h, 0f);
        for (int r = 0; r < rows; r++) {
            int t = rowPos[r];
            if (full != null) Ops.rmsNormWeightGrad(dNormed, r * h, x, t * h, rinvF[t], h, full.finalNormGrad());
            Ops.rmsNormBackward(dNormed, r * h, x, t * h, w.finalNorm(), rinvF[t], h, dx, t * h, false);
        }
        backward(p, len, restrictLastLayer ? rowPos[0] : 0);
        if (full != null) {
            // The embedding lookup's backward: scatter-add each position's input gradient into its token's row.
            float[] ge = full.embedGrad();
            for (int t = 0; t < len; t++) VectorOps.axpy(1f, dx, t * h, ge, tokens[t] * h, h);
        }
        return new Loss(lossSum, rows);
    }

    /** Softmax cross-entropy per row; replaces the logits by lossScale · (softmax − onehot). Returns Σ loss. */
    static double crossEntropyForwardBackward(float[] logits, int rows, int vocab, int[] tokens, int[] rowPos, float lossScale) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int off = r * vocab, target = tokens[rowPos[r] + 1];
            float max = VectorOps.max(logits, off, vocab);
            float targetLogit = logits[off + target];
            double z = VectorOps.expShift(logits, off, vocab, max); // logits now hold e^(l - max)
            sum += Math.log(z) + max - targetLogit;
            VectorOps.scale(logits, off, vocab, (float) (lossScale / z));
            logits[off + target] -= lossScale;
        }
        return sum;
    }

    /**
     * Rows [0, r0) of the last layer only feed positions without a loss: there it computes the keys and values of
     * every row (later rows attend to them) but the attention output projection, the MLP and the final norm only
     * from row r0 on, and the backward mirrors that. The skipped rows' gradients are exact zeros, so the
     * gradients are the same bits as without skipping (with dropout, the masks are drawn for fewer rows).
     */
    private void forward(Parallel p, int[] tokens, int len, int r0) {
        int h = c.hiddenSize();
        for (int t = 0; t < len; t++) w.embed().row(tokens[t], x, t * h);
        decoder.ropeTables(0, len, cos, sin);
        for (int l = 0; l < c.numLayers(); l++) {
            int from = l == c.numLayers() - 1 ? r0 : 0; // first row this layer's output is needed for
            decoder.layer(p, l, saved[l], null, null, 0, len, from, cos, sin, this::linear);
        }
        for (int t = r0; t < len; t++) rinvF[t] = Ops.rmsNorm(x, t * h, w.finalNorm(), xnF, t * h, h, c.rmsNormEps());
    }

    private void backward(Parallel p, int len, int r0) {
        int h = c.hiddenSize(), hd = c.headDim(), nh = c.numHeads(), nkv = c.numKvHeads(), half = hd / 2;
        for (int l = c.numLayers() - 1; l >= 0; l--) {
            Weights.Layer lw = w.layers()[l];
            LayerBuffers b = saved[l];
            int from = l == c.numLayers() - 1 ? r0 : 0; // rows before it have no gradient here (see forward)
            // MLP: x += down(swiglu(gate(xn2), up(xn2))), xn2 = norm(xMid).
            // silu(gate)·up was not kept (see ensure): the same function on the same values gives it again, into
            // dgate, which is free until the swiglu backward below.
            int inter = c.intermediateSize();
            Ops.swiglu(p, b.gate, b.up, dgate, from, len - from, inter);
            linearBackward(p, l, Projection.DOWN, dx, from, len, lw.down(), dgate, dact, false);
            Ops.swigluBackward(p, dact, b.gate, b.up, dgate, dup, from, len - from, inter);
            linearBackward(p, l, Projection.GATE, dgate, from, len, lw.gate(), b.xn2, dxn, false);
            linearBackward(p, l, Projection.UP, dup, from, len, lw.up(), b.xn2, dxn, true);
            if (full != null) normWeightGrad(dxn, b.xMid, b.rinv2, from, len, h, full.normGrad(l, TrainableWeights.Norm.POST_ATTENTION));
            for (int t = from; t < len; t++) Ops.rmsNormBackward(dxn, t * h, b.xMid, t * h, lw.postAttentionNorm(), b.rinv2[t], h, dx, t * h, true);
            // Attention: x += o(attention(rope(q), rope(k), v)), q/k/v from xn1 = norm(xIn).
            linearBackward(p, l, Projection.O, dx, from, len, lw.o(), b.att, datt, false);
            Arrays.fill(datt, 0, from * c.qDim(), 0f);
            Ops.attentionBackward(p, datt, b.softmaxStats, b.q, b.k, b.v, dq, dk, dv, len, nh, nkv, hd, c.slidingWindow());
            for (int t = 0; t < len; t++) {
                for (int i = 0; i < nh; i++) Ops.ropeBackward(dq, (t * nh + i) * hd, cos, sin, t * half, half);
                for (int i = 0; i < nkv; i++) Ops.ropeBackward(dk, (t * nkv + i) * hd, cos, sin, t * half, half);
            }
            if (c.qkNorm()) {
                if (full != null) {
                    normWeightGrad(dq, b.qRaw, b.qRinv, 0, len * nh, hd, full.normGrad(l, TrainableWeights.Norm.Q));
                    normWeightGrad(dk, b.kRaw, b.kRinv, 0, len * nkv, hd, full.normGrad(l, TrainableWeights.Norm.K));
                }
                for (int i = 0; i < len * nh; i++) Ops.rmsNormBackward(dq, i * hd, b.qRaw, i * hd, lw.qNorm(), b.qRinv[i], hd, dq, i * hd, false);
                for (int i = 0; i < len * nkv; i++) Ops.rmsNormBackward(dk, i * hd, b.kRaw, i * hd, lw.kNorm(), b.kRinv[i], hd, dk, i * hd, false);
            }
            linearBackward(p, l, Projection.Q, dq, 0, len, lw.q(), b.xn1, dxn, false);
            linearBackward(p, l, Projection.K, dk, 0, len, lw.k(), b.xn1, dxn, true);
            linearBackward(p, l, Projection.V, dv, 0, len, lw.v(), b.xn1, dxn, true);
            if (full != null) normWeightGrad(dxn, b.xIn, b.rinv1, 0, len, h, full.normGrad(l, TrainableWeights.Norm.INPUT));
            for (int t = 0; t < len; t++) Ops.rmsNormBackward(dxn, t * h, b.xIn, t * h, lw.inputNorm(), b.rinv1[t], h, dx, t * h, true);
        }
    }

    /** dw += Σ over rows [from, to) of dy ⊙ x/rms (must run before an in-place norm backward overwrites dy). */
    private static void normWeightGrad(float[] dy, float[] x, float[] rinv, int from, int to, int width, float[] dw) {
        for (int i = from; i < to; i++) Ops.rmsNormWeightGrad(dy, i * width, x, i * width, rinv[i], width, dw);
    }

    /**
     * Rows [r0, len) of y = x·Wᵀ + bias + scale · (drop(x)·Aᵀ)·Bᵀ, saving x·Aᵀ (and drop(x)) for the backward.
     * Frozen weights run from their transposed copy where the decoder keeps one ({@link Decoder#transposedLinears}).
     */
    private void linear(Parallel p, int layer, Projection module, float[] in, int r0, int len, Matrix weight, float[] bias, float[] y) {
        int rows = len - r0, kIn = weight.cols(), nOut = weight.rows();
        if (transposed != null) MatMul.linearTransposed(p, in, r0 * kIn, rows, transposed[layer][module.ordinal()], bias, y, r0 * nOut);
        else MatMul.linear(p, in, r0 * kIn, kIn, rows, weight, 0, nOut, bias, y, r0 * nOut, nOut);
        LoraAdapter.Module m = adapter == null ? null : adapter.module(layer, module);
        if (m == null) return;
        float[] xd = in;
        double drop = adapter.config().dropout();
        if (drop > 0) {
            xd = loraIn[layer][module.ordinal()];
            float[] mask = loraMask[layer][module.ordinal()];
            float keep = (float) (1 / (1 - drop));
            for (int i = r0 * m.in; i < len * m.in; i++) {
                mask[i] = dropoutRng.nextDouble() < drop ? 0f : keep;
                xd[i] = in[i] * mask[i];
            }
        }
        float[] u = loraU[layer][module.ordinal()];
        MatMul.linear(p, xd, r0 * m.in, m.in, rows, Matrix.ofFloats(m.a, m.r, m.in), 0, m.r, null, u, r0 * m.r, m.r);
        float s = adapter.scale();
        float[] us = new float[rows * m.r];
        for (int i = 0; i < us.length; i++) us[i] = u[r0 * m.r + i] * s;
        MatMul.linearBackwardInput(p, us, 0, m.r, rows, Matrix.ofFloats(m.bTransposed(), m.r, m.out), y, r0 * m.out, m.out, true);
    }

    /**
     * Backward of {@link #linear} over rows [r0, len): dIn (+)= dy·W + scale·(dy·B)·A (through the dropout mask),
     * and the adapter's grads: dB += scale · dyᵀ·u, dA += (scale · dy·B)ᵀ·drop(x). Rows of dIn before r0 are left as they are.
     */
    private void linearBackward(Parallel p, int layer, Projection module, float[] dy, int r0, int len, Matrix weight, float[] in,
                                float[] dIn, boolean accumulate) {
        int rows = len - r0, kIn = weight.cols(), nOut = weight.rows();
        MatMul.linearBackwardInput(p, dy, r0 * nOut, nOut, rows, weight, dIn, r0 * kIn, kIn, accumulate);
        if (full != null) {
            MatMul.linearBackwardWeight(p, dy, r0 * nOut, in, r0 * kIn, rows, nOut, kIn, full.weightGrad(layer, module));
            float[] gb = full.biasGrad(layer, module);
            if (gb != null) for (int t = r0; t < len; t++) VectorOps.axpy(1f, dy, t * gb.length, gb, 0, gb.length);
        }
        LoraAdapter.Module m = adapter == null ? null : adapter.module(layer, module);
        if (m == null) return;
        float s = adapter.scale();
        float[] u = loraU[layer][module.ordinal()];
        float[] us = new float[rows * m.r];
        for (int i = 0; i < us.length; i++) us[i] = u[r0 * m.r + i] * s;
        // The rank-r side is kept outside so the kernels run over the wide dimension: dBᵀ += usᵀ·dy, du = dy·B = dy·(Bᵀ)ᵀ.
        float[] gradBt = new float[m.r * m.out];
        MatMul.linearBackwardWeight(p, us, 0, dy, r0 * m.out, rows, m.r, m.out, gradBt);
        for (int n = 0; n < m.out; n++) for (int j = 0; j < m.r; j++) m.gradB[n * m.r + j] += gradBt[j * m.out + n];
        float[] du = new float[rows * m.r];
        MatMul.linear(p, dy, r0 * m.out, m.out, rows, Matrix.ofFloats(m.bTransposed(), m.r, m.out), 0, m.r, null, du, 0, m.r);
        for (int i = 0; i < du.length; i++) du[i] *= s;
        boolean dropped = adapter.config().dropout() > 0;
        float[] xd = dropped ? loraIn[layer][module.ordinal()] : in;
        MatMul.linearBackwardWeight(p, du, 0, xd, r0 * m.in, rows, m.r, m.in, m.gradA);
        if (!dropped) {
            MatMul.linearBackwardInput(p, du, 0, m.r, rows, Matrix.ofFloats(m.a, m.r, m.in), dIn, r0 * m.in, m.in, true);
        } else {
            float[] tmp = new float[rows * m.in];
            MatMul.linearBackwardInput(p, du, rows, Matrix.ofFloats(m.a, m.r, m.in), tmp, false);
            float[] mask = loraMask[layer][module.ordinal()];
            for (int i = 0; i < tmp.length; i++) dIn[r0 * m.in + i] += tmp[i] * mask[r0 * m.in + i];
        }
    }

    private void ensure(int len) {
        if (len <= cap) return;
        // Test-time training sees a stream of prompts of similar length: a quarter more than the last capacity
        // spares most re-allocations (each one zeroes gigabytes of fresh memory at 1.5B, seconds of page faults).
        // The old buffers are dropped first, so that the collector may reuse their memory for the new ones.
        if (cap > 0) len = Math.max(len, cap + cap / 4);
        release();
        int L = c.numLayers(), h = c.hiddenSize(), qd = c.qDim(), kv = c.kvDim(), inter = c.intermediateSize();
        loraU = new float[L][Projection.values().length][];
        loraIn = new float[L][Projection.values().length][];
        loraMask = new float[L][Projection.values().length][];
        for (LoraAdapter.Module m : adapter == null ? java.util.List.<LoraAdapter.Module>of() : adapter.modules()) {
            int mi = m.projection.ordinal();
            loraU[m.layer][mi] = new float[len * m.r];
            if (adapter.config().dropout() > 0) {
                loraIn[m.layer][mi] = new float[len * m.in];
                loraMask[m.layer][mi] = new float[len * m.in];
            }
        }
        x = new float[len * h];
        xnF = new float[len * h];
        rinvF = new float[len];
        cos = new float[len * c.headDim() / 2];
        sin = new float[len * c.headDim() / 2];
        dx = new float[len * h];
        dxn = new float[len * Math.max(h, qd)];
        dq = new float[len * qd];
        dk = new float[len * kv];
        dv = new float[len * kv];
        datt = new float[len * qd];
        dgate = new float[len * inter];
        dup = new float[len * inter];
        dact = new float[len * inter];
        saved = new LayerBuffers[L];
        for (int l = 0; l < L; l++) {
            LayerBuffers b = saved[l] = new LayerBuffers();
            b.x = x;
            b.out = dxn; // scratch: the backward's dxn is free during the forward
            b.xIn = new float[len * h];
            b.xn1 = new float[len * h];
            b.rinv1 = new float[len];
            b.q = new float[len * qd];
            b.k = new float[len * kv];
            b.v = new float[len * kv];
            if (c.qkNorm()) {
                b.qRaw = new float[len * qd];
                b.kRaw = new float[len * kv];
                b.qRinv = new float[len * c.numHeads()];
                b.kRinv = new float[len * c.numKvHeads()];
            }
            b.att = new float[len * qd];
            b.softmaxStats = new float[c.numHeads() * len * 2];
            b.xMid = new float[len * h];
            b.xn2 = new float[len * h];
            b.rinv2 = new float[len];
            b.gate = new float[len * inter];
            b.up = new float[len * inter];
            // Not kept per layer: the backward recomputes it (elementwise, beside a GEMM). It is the largest
            // activation (at 1.5B, a GiB for a 1,100-token prompt), and memory touched for the first time is slow.
            b.act = dgate; // scratch: the backward's dgate is free during the forward
        }
        cap = len;
    }

    /** Frees the activation buffers (they are re-allocated on the next call). */
    public void release() {
        cap = 0;
        loraU = loraIn = loraMask = null;
        saved = null;
        x = xnF = rinvF = cos = sin = dx = dxn = dq = dk = dv = datt = dgate = dup = dact = null;
    }
}
