package ttsi.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import ttsi.engine.format.WeightSource;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.FormatException;
import ttsi.engine.tensor.Matrix;
import ttsi.engine.tensor.Parallel;

/**
 * The decoder's weights. Matrices stay in their stored dtype (usually views of the memory-mapped checkpoint);
 * small vectors (norms, biases) are widened to f32 once.
 */
public record Weights(Matrix embed, Layer[] layers, float[] finalNorm, Matrix lmHead) {

    /** One transformer block. Bias and q/k-norm arrays are null where the family has none. */
    public record Layer(float[] inputNorm, float[] postAttentionNorm,
                        Matrix q, Matrix k, Matrix v, Matrix o,
                        float[] qBias, float[] kBias, float[] vBias,
                        float[] qNorm, float[] kNorm,
                        Matrix gate, Matrix up, Matrix down) {

        /** The linear layers in {@link Projection} order: q, k, v, o, gate, up, down. */
        public Matrix[] linears() {
            return new Matrix[] {q, k, v, o, gate, up, down};
        }

        /** One linear layer. */
        public Matrix linear(Projection p) {
            return switch (p) {
                case Q -> q;
                case K -> k;
                case V -> v;
                case O -> o;
                case GATE -> gate;
                case UP -> up;
                case DOWN -> down;
            };
        }

        /** A linear layer's bias, or null (only q, k and v may have one, in Qwen2-style checkpoints). */
        public float[] bias(Projection p) {
            return switch (p) {
                case Q -> qBias;
                case K -> kBias;
                case V -> vBias;
                default -> null;
            };
        }
    }

    /** An f32 heap copy with gradient arrays, for full-parameter training (these weights are left as they are). */
    public TrainableWeights toTrainable() {
        return new TrainableWeights(this);
    }

    /**
     * These weights with every matrix (embedding, linear layers, LM head) stored in another dtype, in memory from
     * the arena; matrices already of that dtype are kept as they are. Q8_0 quantizes them as llama.cpp's
     * llama-quantize does, so a checkpoint loaded with {@code --dtype q8_0} runs the weights of its Q8_0 GGUF.
     */
    public Weights converted(DType dtype, Arena arena) {
        Layer[] out = new Layer[layers.length];
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            Matrix[] lin = l.linears();
            for (Projection p : Projection.values()) lin[p.ordinal()] = converted(lin[p.ordinal()], dtype, arena, "model.layers." + i + "." + p.path() + ".weight");
            out[i] = new Layer(l.inputNorm, l.postAttentionNorm, lin[0], lin[1], lin[2], lin[3], l.qBias, l.kBias, l.vBias, l.qNorm, l.kNorm,
                    lin[4], lin[5], lin[6]);
        }
        Matrix e = converted(embed, dtype, arena, "model.embed_tokens.weight");
        return new Weights(e, out, finalNorm, lmHead == embed ? e : converted(lmHead, dtype, arena, "lm_head.weight"));
    }

    private static Matrix converted(Matrix m, DType dtype, Arena arena, String name) {
        if (!dtype.elementWise() && m.cols() % DType.Q8_BLOCK != 0) {
            throw new IllegalArgumentException("--dtype " + dtype.name().toLowerCase(java.util.Locale.ROOT) + " quantizes rows in blocks of "
                    + DType.Q8_BLOCK + ", but " + name + " has rows of " + m.cols() + " values");
        }
        return m.converted(dtype, arena);
    }

    public static Weights load(WeightSource ckpt, ModelConfig c) {
        int h = c.hiddenSize(), inter = c.intermediateSize();
        Matrix embed = ckpt.matrix("model.embed_tokens.weight", c.vocabSize(), h);
        Layer[] layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            boolean b = c.attentionBias();
            layers[i] = new Layer(
                    ckpt.vector(p + "input_layernorm.weight", h),
                    ckpt.vector(p + "post_attention_layernorm.weight", h),
                    ckpt.matrix(p + "self_attn.q_proj.weight", c.qDim(), h),
                    ckpt.matrix(p + "self_attn.k_proj.weight", c.kvDim(), h),
                    ckpt.matrix(p + "self_attn.v_proj.weight", c.kvDim(), h),
                    ckpt.matrix(p + "self_attn.o_proj.weight", h, c.qDim()),
                    b ? ckpt.vector(p + "self_attn.q_proj.bias", c.qDim()) : null,
                    b ? ckpt.vector(p + "self_attn.k_proj.bias", c.kvDim()) : null,
                    b ? ckpt.vector(p + "self_attn.v_proj.bias", c.kvDim()) : null,
                    c.qkNorm() ? ckpt.vector(p + "self_attn.q_norm.weight", c.headDim()) : null,
                    c.qkNorm() ? ckpt.vector(p + "self_attn.k_norm.weight", c.headDim()) : null,
                    ckpt.matrix(p + "mlp.gate_proj.weight", inter, h),
                    ckpt.matrix(p + "mlp.up_proj.weight", inter, h),
                    ckpt.matrix(p + "mlp.down_proj.weight", h, inter));
        }
        float[] norm = ckpt.vector("model.norm.weight", h);
        Matrix head;
        if (c.tieWordEmbeddings()) {
            head = embed;
        } else if (ckpt.has("lm_head.weight")) {
            head = ckpt.matrix("lm_head.weight", c.vocabSize(), h);
        } else {
            throw new FormatException(ckpt.dir(), "missing tensor 'lm_head.weight' (the config says tie_word_embeddings is false)");
        }
        return new Weights(embed, layers, norm, head);
    }

    /**
     * Random weights with the real shapes, allocated off-heap in the given dtype (for benchmarks: speed does
     * not depend on the values). Values ~ U(-0.02, 0.02); norms 1.
     */
    public static Weights random(ModelConfig c, DType dtype, long seed, Arena arena) {
        int h = c.hiddenSize(), inter = c.intermediateSize();
        long[] counter = {seed};
        java.util.function.BiFunction<Integer, Integer, Matrix> m = (rows, cols) -> {
            if (!dtype.elementWise()) { // block types: random f32 values, quantized; the f32 copy freed at once
                try (Arena f32 = Arena.ofShared()) {
                    Matrix x = new Matrix(DType.F32, f32.allocate(DType.F32.byteSize((long) rows * cols), 64), rows, cols);
                    fillRandom(x, counter[0]++);
                    return x.converted(dtype, arena);
                }
            }
            Matrix x = new Matrix(dtype, arena.allocate(dtype.matrixBytes(rows, cols), 64), rows, cols);
            fillRandom(x, counter[0]++);
            return x;
        };
        Matrix embed = m.apply(c.vocabSize(), h);
        Layer[] layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            boolean b = c.attentionBias();
            layers[i] = new Layer(ones(h), ones(h), m.apply(c.qDim(), h), m.apply(c.kvDim(), h), m.apply(c.kvDim(), h),
                    m.apply(h, c.qDim()), b ? new float[c.qDim()] : null, b ? new float[c.kvDim()] : null,
                    b ? new float[c.kvDim()] : null, c.qkNorm() ? ones(c.headDim()) : null, c.qkNorm() ? ones(c.headDim()) : null,
                    m.apply(inter, h), m.apply(inter, h), m.apply(h, inter));
        }
        Matrix head = c.tieWordEmbeddings() ? embed : m.apply(c.vocabSize(), h);
        return new Weights(embed, layers, ones(h), head);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    private static void fillRandom(Matrix x, long seed) {
        MemorySegment s = x.data();
        long n = x.size();
        int chunks = (int) Math.max(1, Math.min(64, n / (1 << 20)));
        Parallel.global().forEach(chunks, ch -> {
            long from = n * ch / chunks, to = n * (ch + 1) / chunks;
            long state = seed * 0x9E3779B97F4A7C15L + ch * 0xBF58476D1CE4E5B9L + 1;
            for (long i = from; i < to; i++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                float v = ((state >>> 40) / (float) (1 << 24) - 0.5f) * 0.04f;
                switch (x.dtype()) {
                    case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                    case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Matrix.floatToBf16(v));
                    case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
                }
            }
        });
    }
}
