package ttsi.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.engine.tensor.Matrix;

/**
 * An f32 heap copy of a model's weights with a gradient array per tensor, for full-parameter training. The
 * {@link #weights()} view shares the value arrays (matrices via {@link Matrix#ofFloats}), so a {@link Decoder}
 * over it runs on the updated weights directly. Tensors are named as in HF checkpoints; with tied embeddings
 * there is no lm_head tensor and the head's gradient lands in the embedding's.
 */
public final class TrainableWeights {

    /** One parameter: HF name, shape, values and their gradient (same length). */
    public record Tensor(String name, long[] shape, float[] value, float[] grad) {}

    /** A layer's RMSNorm weights: before attention, before the MLP, and Qwen3's per-head q and k norms. */
    public enum Norm { INPUT, POST_ATTENTION, Q, K }

    // Per-layer gradient slots: the 7 projections' weights (by ordinal), then the q/k/v biases, then the norms.
    private static final int BIAS = 7, NORM = 10;

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final float[][][] layerGrads; // [layer][slot], null where the family has no such tensor
    private final Weights weights;
    private final boolean tied;

    TrainableWeights(Weights src) {
        tied = src.lmHead() == src.embed();
        Matrix embed = matrix("model.embed_tokens.weight", src.embed());
        Weights.Layer[] layers = new Weights.Layer[src.layers().length];
        layerGrads = new float[layers.length][NORM + Norm.values().length][];
        for (int l = 0; l < layers.length; l++) {
            Weights.Layer s = src.layers()[l];
            String p = "model.layers." + l + ".";
            float[][] g = layerGrads[l];
            float[] in = vector(p + "input_layernorm.weight", s.inputNorm(), g, NORM + Norm.INPUT.ordinal());
            float[] post = vector(p + "post_attention_layernorm.weight", s.postAttentionNorm(), g, NORM + Norm.POST_ATTENTION.ordinal());
            Matrix[] lin = new Matrix[7];
            float[][] bias = new float[3][];
            for (Projection pr : Projection.values()) {
                int m = pr.ordinal();
                lin[m] = matrix(p + pr.path() + ".weight", s.linear(pr));
                g[m] = tensors.get(p + pr.path() + ".weight").grad();
                float[] b = s.bias(pr);
                if (b != null) bias[m] = vector(p + pr.path() + ".bias", b, g, BIAS + m);
            }
            float[] qn = s.qNorm() == null ? null : vector(p + "self_attn.q_norm.weight", s.qNorm(), g, NORM + Norm.Q.ordinal());
            float[] kn = s.kNorm() == null ? null : vector(p + "self_attn.k_norm.weight", s.kNorm(), g, NORM + Norm.K.ordinal());
            layers[l] = new Weights.Layer(in, post, lin[0], lin[1], lin[2], lin[3], bias[0], bias[1], bias[2], qn, kn,
                    lin[4], lin[5], lin[6]);
        }
        float[] norm = vector("model.norm.weight", src.finalNorm(), null, 0);
        Matrix head = tied ? embed : matrix("lm_head.weight", src.lmHead());
        weights = new Weights(embed, layers, norm, head);
    }

    private TrainableWeights(TrainableWeights src) {
        tied = src.tied;
        weights = src.weights;
        Map<float[], float[]> fresh = new java.util.IdentityHashMap<>();
        for (Tensor t : src.tensors.values()) {
            float[] g = new float[t.grad().length];
            fresh.put(t.grad(), g);
            tensors.put(t.name(), new Tensor(t.name(), t.shape(), t.value(), g));
        }
        layerGrads = new float[src.layerGrads.length][][];
        for (int l = 0; l < layerGrads.length; l++) {
            layerGrads[l] = new float[src.layerGrads[l].length][];
            for (int s = 0; s < layerGrads[l].length; s++) layerGrads[l][s] = src.layerGrads[l][s] == null ? null : fresh.get(src.layerGrads[l][s]);
        }
    }

    /**
     * The same parameters (values shared, so every update is seen) with gradient arrays of its own: a data-parallel
     * worker accumulates its share of a batch there, and the shares are then summed in a fixed order.
     */
    public TrainableWeights gradientReplica() {
        return new TrainableWeights(this);
    }

    private Matrix matrix(String name, Matrix m) {
        float[] v = m.toFloats();
        tensors.put(name, new Tensor(name, new long[] {m.rows(), m.cols()}, v, new float[v.length]));
        return Matrix.ofFloats(v, m.rows(), m.cols());
    }

    private float[] vector(String name, float[] src, float[][] slots, int slot) {
        float[] v = src.clone();
        Tensor t = new Tensor(name, new long[] {v.length}, v, new float[v.length]);
        tensors.put(name, t);
        if (slots != null) slots[slot] = t.grad();
        return v;
    }

    /** The inference view over the trainable values (shared, not copied). */
    public Weights weights() {
        return weights;
    }

    public boolean tied() {
        return tied;
    }

    /** Every parameter in HF checkpoint order (what a checkpoint of this model holds). */
    public List<Tensor> tensors() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.values()));
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter '" + name + "'");
        return t;
    }

    public float[] embedGrad() {
        return tensors.get("model.embed_tokens.weight").grad();
    }

    /** The LM head's gradient: the embedding's when tied. */
    public float[] lmHeadGrad() {
        return tied ? embedGrad() : tensors.get("lm_head.weight").grad();
    }

    public float[] finalNormGrad() {
        return tensors.get("model.norm.weight").grad();
    }

    /** The gradient of a layer's projection weight. */
    public float[] weightGrad(int layer, Projection p) {
        return layerGrads[layer][p.ordinal()];
    }

    /** The gradient of a layer's projection bias, or null where it has none. */
    public float[] biasGrad(int layer, Projection p) {
        return p.mayHaveBias() ? layerGrads[layer][BIAS + p.ordinal()] : null;
    }

    /** The gradient of a layer's norm weight, or null where the family has none (q/k norms outside Qwen3). */
    public float[] normGrad(int layer, Norm n) {
        return layerGrads[layer][NORM + n.ordinal()];
    }

    public void zeroGrad() {
        for (Tensor t : tensors.values()) Arrays.fill(t.grad(), 0f);
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) n += t.value().length;
        return n;
    }
}
