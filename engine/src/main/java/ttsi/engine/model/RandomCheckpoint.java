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

    /** A ChatML template as Qwen2.5's: the tools listed in the system turn, calls in {@code <tool_call>} blocks. */
    public static final String TOOL_CHAT_TEMPLATE = """
            {%- if tools %}
            {{- '<|im_start|>system\\n' }}
            {%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}
            {{- '# Tools\\n<tools>' }}
            {%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}
            {{- '\\n</tools><|im_end|>\\n' }}
            {%- elif messages[0].role == 'system' %}
            {{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}
            {%- endif %}
            {%- for message in messages %}
            {%- if message.role == 'system' and loop.first %}
            {%- elif message.role == 'assistant' and message.tool_calls %}
            {{- '<|im_start|>assistant' }}
            {%- if message.content %}{{- '\\n' + message.content }}{%- endif %}
            {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' + tool_call.name + '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}
            {%- endfor %}
            {{- '<|im_end|>\\n' }}
            {%- elif message.role == 'tool' %}
            {{- '<|im_start|>user\\n<tool_response>\\n' + message.content + '\\n</tool_response><|im_end|>\\n' }}
            {%- else %}
            {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}
            {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
            """;

    /** {@link #writeByteLevel(Path, java.util.List, String, long)} with a few merges (quotes, "get", "name") and {@link #TOOL_CHAT_TEMPLATE}. */
    public static Path writeByteLevel(Path out, long seed) throws IOException {
        return writeByteLevel(out, java.util.List.of("\" ,", "\" :", "g e", "ge t", "a m", "n a", "na m", "e s"), TOOL_CHAT_TEMPLATE, seed);
    }

    /**
     * {@link #TINY_QWEN2}'s shape (seeded bf16 weights, std 0.2) over a byte-level BPE of the 256 bytes plus the given
     * merges (each "a b") and ChatML's {@code <|im_start|>}, {@code <|im_end|>} (bos and eos) and Qwen's
     * {@code <tool_call>}, {@code </tool_call>}, with a chat template: a complete model folder that needs no tokenizer
     * from elsewhere (tests on a bare clone, demos).
     */
    public static Path writeByteLevel(Path out, java.util.List<String> merges, String chatTemplate, long seed) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        var tj = mapper.createObjectNode();
        tj.put("version", "1.0");
        tj.putNull("normalizer");
        var pre = tj.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("use_regex", true);
        tj.putNull("post_processor");
        tj.putObject("decoder").put("type", "ByteLevel");
        var m = tj.putObject("model");
        m.put("type", "BPE");
        var vocab = m.putObject("vocab");
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ttsi.engine.tokenizer.ByteLevel.charOf(b)), b);
        var mergeList = m.putArray("merges");
        int next = 256;
        for (String merge : merges) {
            mergeList.add(merge);
            vocab.put(merge.replace(" ", ""), next++);
        }
        var added = tj.putArray("added_tokens");
        int imStart = next;
        for (String t : java.util.List.of("<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>")) {
            var a = added.addObject();
            a.put("id", next++);
            a.put("content", t);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", t.startsWith("<|"));
            vocab.put(t, a.get("id").intValue());
        }
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(TINY_QWEN2);
        config.put("vocab_size", next);
        config.put("bos_token_id", imStart);
        config.put("eos_token_id", imStart + 1);
        write(out, config, DType.BF16, 0.2, seed, null);
        Files.writeString(out.resolve("tokenizer.json"), mapper.writeValueAsString(tj));
        Files.writeString(out.resolve("chat_template.jinja"), chatTemplate);
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
