package ttsi.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.Safetensors;

/**
 * Writes a Hugging Face checkpoint folder with seeded random weights for a config (and, optionally, the tokenizer
 * and chat-template files of a real model folder), so that every code path can run on real files without
 * downloading weights. Values ~ N(0, std²); norm weights 1.
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    /** A tiny Qwen2 (hidden 16, one layer) with Qwen2.5's vocabulary: real tokenizer and template, trivial compute. */
    public static final String TINY_QWEN2 = """
            {"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":16,"intermediate_size":32,
             "num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"vocab_size":151936,
             "rope_theta":1000000.0,"rms_norm_eps":1e-6,"tie_word_embeddings":true,"max_position_embeddings":4096,
             "eos_token_id":151645,"bos_token_id":151643,"hidden_act":"silu"}""";

    /** Writes {@link #TINY_QWEN2} with seeded bf16 weights (std 0.2) and the tokenizer files of tokenizerFrom. */
    public static Path writeTiny(Path out, long seed, Path tokenizerFrom) throws IOException {
        write(out, new ObjectMapper().readTree(TINY_QWEN2), DType.BF16, 0.2, seed, tokenizerFrom);
        return out;
    }

    static final String[] TOKENIZER_FILES = {"tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json",
            "chat_template.jinja", "chat_template.json", "generation_config.json", "added_tokens.json", "special_tokens_map.json"};

    public static void write(Path out, JsonNode configJson, DType dtype, double std, long seed, Path tokenizerFrom) throws IOException {
        Files.createDirectories(out);
        ModelConfig c = ModelConfig.fromJson(out.resolve("config.json"), configJson);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("config.json").toFile(), configJson);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        int h = c.hiddenSize(), inter = c.intermediateSize();
        add(values, shapes, r, std, "model.embed_tokens.weight", c.vocabSize(), h);
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            add(values, shapes, r, -1, p + "input_layernorm.weight", h);
            add(values, shapes, r, -1, p + "post_attention_layernorm.weight", h);
            add(values, shapes, r, std, p + "self_attn.q_proj.weight", c.qDim(), h);
            add(values, shapes, r, std, p + "self_attn.k_proj.weight", c.kvDim(), h);
            add(values, shapes, r, std, p + "self_attn.v_proj.weight", c.kvDim(), h);
            add(values, shapes, r, std, p + "self_attn.o_proj.weight", h, c.qDim());
            if (c.attentionBias()) {
                add(values, shapes, r, std, p + "self_attn.q_proj.bias", c.qDim());
                add(values, shapes, r, std, p + "self_attn.k_proj.bias", c.kvDim());
                add(values, shapes, r, std, p + "self_attn.v_proj.bias", c.kvDim());
            }
            if (c.qkNorm()) {
                add(values, shapes, r, -1, p + "self_attn.q_norm.weight", c.headDim());
                add(values, shapes, r, -1, p + "self_attn.k_norm.weight", c.headDim());
            }
            add(values, shapes, r, std, p + "mlp.gate_proj.weight", inter, h);
            add(values, shapes, r, std, p + "mlp.up_proj.weight", inter, h);
            add(values, shapes, r, std, p + "mlp.down_proj.weight", h, inter);
        }
        add(values, shapes, r, -1, "model.norm.weight", h);
        if (!c.tieWordEmbeddings()) add(values, shapes, r, std, "lm_head.weight", c.vocabSize(), h);
        Safetensors.write(out.resolve("model.safetensors"), values, shapes, dtype, Map.of("format", "pt"));
        if (tokenizerFrom != null) {
            for (String f : TOKENIZER_FILES) {
                Path src = tokenizerFrom.resolve(f);
                if (Files.isRegularFile(src)) Files.copy(src, out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** std < 0: ones (norm weights). */
    private static void add(Map<String, float[]> values, Map<String, long[]> shapes, SplittableRandom r, double std, String name, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) a[i] = std < 0 ? 1f : (float) (r.nextGaussian() * std);
        values.put(name, a);
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) s[i] = shape[i];
        shapes.put(name, s);
    }
}
