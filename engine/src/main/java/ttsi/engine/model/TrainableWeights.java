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

    /** Per-layer gradient slots after the 7 linear modules ({@link Adapter#Q} .. {@link Adapter#DOWN}). */
    public static final int Q_BIAS = 7, K_BIAS = 8, V_BIAS = 9, INPUT_NORM = 10, POST_NORM = 11, Q_NORM = 12, K_NORM = 13;
    private static final String[] LINEAR = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final float[][][] layerGrads; // [layer][slot], null where the family has no such tensor
    private final Weights weights;
    private final boolean tied;

    TrainableWeights(Weights src) {
        tied = src.lmHead() == src.embed();
        Matrix embed = matrix("model.embed_tokens.weight", src.embed());
        Weights.Layer[] layers = new Weights.Layer[src.layers().length];
        layerGrads = new float[layers.length][14][];
        for (int l = 0; l < layers.length; l++) {
            Weights.Layer s = src.layers()[l];
            String p = "model.layers." + l + ".";
            float[][] g = layerGrads[l];
            float[] in = vector(p + "input_layernorm.weight", s.inputNorm(), g, INPUT_NORM);
            float[] post = vector(p + "post_attention_layernorm.weight", s.postAttentionNorm(), g, POST_NORM);
            Matrix[] lin = new Matrix[7];
            float[][] bias = new float[3][];
            for (int m = 0; m < 7; m++) {
                lin[m] = matrix(p + LINEAR[m] + ".weight", s.linear(LINEAR[m].substring(LINEAR[m].indexOf('.') + 1)));
                g[m] = tensors.get(p + LINEAR[m] + ".weight").grad();
                if (m < 3) {
                    float[] b = m == 0 ? s.qBias() : m == 1 ? s.kBias() : s.vBias();
                    bias[m] = b == null ? null : vector(p + LINEAR[m] + ".bias", b, g, Q_BIAS + m);
                }
            }
            float[] qn = s.qNorm() == null ? null : vector(p + "self_attn.q_norm.weight", s.qNorm(), g, Q_NORM);
            float[] kn = s.kNorm() == null ? null : vector(p + "self_attn.k_norm.weight", s.kNorm(), g, K_NORM);
            layers[l] = new Weights.Layer(in, post, lin[0], lin[1], lin[2], lin[3], bias[0], bias[1], bias[2], qn, kn,
                    lin[4], lin[5], lin[6]);
        }
        float[] norm = vector("model.norm.weight", src.finalNorm(), null, 0);
        Matrix head = tied ? embed : matrix("lm_head.weight", src.lmHead());
        weights = new Weights(embed, layers, norm, head);
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

    /** A layer's gradient array for slot ({@link Adapter#Q}.. for linear weights, {@link #Q_BIAS}.. otherwise), or null. */
    public float[] layerGrad(int layer, int slot) {
        return layerGrads[layer][slot];
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
