package ttsi.engine.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ttsi.engine.tensor.Matrix;

/**
 * A GGUF file seen as a Hugging Face checkpoint: its metadata as a {@code config.json} object and its tensors under
 * the HF names the engine uses ({@code blk.N.attn_q.weight} is {@code model.layers.N.self_attn.q_proj.weight}, ...).
 * Architectures: {@code qwen2} (Qwen2/2.5), {@code llama} (Llama 3.x; llama.cpp's converter permutes the Q and K
 * rows of these into GGML's rotary layout, undone here on load) and {@code qwen3}.
 */
public final class GgufCheckpoint implements WeightSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");

    private final Gguf gguf;
    private final Arena arena;
    private final String arch;

    private GgufCheckpoint(Gguf gguf, Arena arena) {
        this.gguf = gguf;
        this.arena = arena;
        if (gguf.hasKey("split.count") && gguf.integer("split.count") > 1) {
            throw new FormatException(gguf.file(), "is part " + (gguf.hasKey("split.no") ? gguf.integer("split.no") + 1 : "?") + " of a GGUF split into "
                    + gguf.integer("split.count") + " files, which is not supported: merge them first (llama-gguf-split --merge)");
        }
        this.arch = gguf.string("general.architecture");
        if (!List.of("qwen2", "llama", "qwen3").contains(arch)) {
            throw new FormatException(gguf.file(), "unsupported architecture: general.architecture '" + arch
                    + "' (supported: qwen2, llama, qwen3)");
        }
    }

    /** Maps a GGUF file (closed with {@link #close}). */
    public static GgufCheckpoint open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            return new GgufCheckpoint(Gguf.open(file, arena), arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * The GGUF file a model path means, or null for a Hugging Face folder: the path itself when it is a file that
     * starts with the GGUF magic (or ends in .gguf), or the one {@code *.gguf} file of a folder without config.json.
     *
     * @throws FormatException when a folder without config.json holds several .gguf files
     */
    public static Path find(Path path) {
        if (Files.isRegularFile(path)) {
            return path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf") || Gguf.isGguf(path) ? path : null;
        }
        if (!Files.isDirectory(path) || Files.exists(path.resolve("config.json"))) return null;
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(path)) {
            s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                    .sorted().forEach(found::add);
        } catch (IOException e) {
            throw new FormatException(path, "cannot list: " + e.getMessage(), e);
        }
        if (found.isEmpty()) return null;
        if (found.size() > 1) {
            throw new FormatException(path, "holds " + found.size() + " .gguf files " + found.stream().map(p -> p.getFileName().toString()).toList()
                    + " and no config.json: pass the one to load");
        }
        return found.get(0);
    }

    public Gguf gguf() {
        return gguf;
    }

    public String architecture() {
        return arch;
    }

    @Override
    public Path dir() {
        return gguf.file();
    }

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    /** The model's hyper-parameters as a Hugging Face config.json object (for {@code ModelConfig.fromJson}). */
    public ObjectNode configJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", arch);
        int hidden = gguf.positiveInt(key("embedding_length"));
        int heads = gguf.positiveInt(key("attention.head_count"));
        n.put("hidden_size", hidden);
        n.put("intermediate_size", gguf.positiveInt(key("feed_forward_length")));
        n.put("num_hidden_layers", gguf.positiveInt(key("block_count")));
        n.put("num_attention_heads", heads);
        n.put("num_key_value_heads", gguf.hasKey(key("attention.head_count_kv")) ? gguf.positiveInt(key("attention.head_count_kv")) : heads);
        int headDim = gguf.hasKey(key("attention.key_length")) ? gguf.positiveInt(key("attention.key_length"))
                : gguf.hasKey(key("rope.dimension_count")) ? gguf.positiveInt(key("rope.dimension_count")) : hidden / heads;
        n.put("head_dim", headDim);
        if (gguf.hasKey(key("rope.dimension_count")) && gguf.positiveInt(key("rope.dimension_count")) != headDim) {
            throw new FormatException(gguf.file(), "metadata '" + key("rope.dimension_count") + "' is " + gguf.integer(key("rope.dimension_count"))
                    + " but the head size is " + headDim + ": partial rotary embeddings are not supported");
        }
        Gguf.Tensor embed = gguf.tensor("token_embd.weight");
        if (embed.dims().length != 2) throw new FormatException(gguf.file(), "tensor 'token_embd.weight' should be 2-D, has dims " + java.util.Arrays.toString(embed.dims()));
        n.put("vocab_size", embed.dims()[1]);
        n.put("rms_norm_eps", gguf.number(key("attention.layer_norm_rms_epsilon")));
        n.put("rope_theta", gguf.hasKey(key("rope.freq_base")) ? gguf.number(key("rope.freq_base")) : 10000.0);
        if (gguf.hasKey(key("context_length"))) n.put("max_position_embeddings", gguf.positiveInt(key("context_length")));
        n.put("tie_word_embeddings", !gguf.has("output.weight"));
        n.put("attention_bias", gguf.has("blk.0.attn_q.bias"));
        n.put("hidden_act", "silu");
        if (gguf.hasKey(key("rope.scaling.type")) && !gguf.string(key("rope.scaling.type")).equals("none")) {
            throw new FormatException(gguf.file(), "metadata '" + key("rope.scaling.type") + "' is '" + gguf.string(key("rope.scaling.type"))
                    + "', which is not supported (expected none, or Llama 3's rope_freqs tensor)");
        }
        if (gguf.has("rope_freqs.weight")) n.set("rope_scaling", llama3Scaling(headDim, n.path("rope_theta").asDouble()));
        var eos = n.putArray("eos_token_id");
        for (String k : new String[] {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
            if (gguf.hasKey(k)) {
                long id = gguf.integer(k);
                boolean seen = false;
                for (var e : eos) seen |= e.asLong() == id;
                if (!seen) eos.add(id);
            }
        }
        if (gguf.hasKey("tokenizer.ggml.bos_token_id")) n.put("bos_token_id", gguf.integer("tokenizer.ggml.bos_token_id"));
        n.put("torch_dtype", switch (embed.type() == null ? Gguf.TensorType.BF16 : embed.type()) {
            case F32 -> "float32";
            case F16 -> "float16";
            default -> "bfloat16";
        });
        return n;
    }

    /**
     * Llama 3's rope scaling: llama.cpp stores only the per-frequency factors (tensor rope_freqs), not the
     * parameters that made them. The factor is their maximum; the other parameters are Llama 3.x's (low 1, high 4,
     * original context from the metadata or 8192), accepted only if they give back every stored factor.
     */
    private ObjectNode llama3Scaling(int headDim, double theta) {
        float[] stored = gguf.vector("rope_freqs.weight", headDim / 2);
        double factor = 1;
        for (float f : stored) factor = Math.max(factor, f);
        int old = gguf.hasKey(key("rope.scaling.original_context_length")) ? gguf.positiveInt(key("rope.scaling.original_context_length")) : 8192;
        double low = 1, high = 4;
        double lowWavelen = old / low, highWavelen = old / high;
        for (int i = 0; i < stored.length; i++) {
            double freq = 1.0 / Math.pow(theta, 2.0 * i / headDim);
            double wavelen = 2 * Math.PI / freq, expect;
            if (wavelen < highWavelen) expect = 1;
            else if (wavelen > lowWavelen) expect = factor;
            else {
                double smooth = (old / wavelen - low) / (high - low);
                expect = 1 / ((1 - smooth) / factor + smooth);
            }
            if (Math.abs(expect - stored[i]) > 1e-3 * Math.max(1, Math.abs(expect))) {
                throw new FormatException(gguf.file(), "tensor 'rope_freqs.weight' [" + i + "] is " + stored[i]
                        + ", which Llama 3 rope scaling (factor " + factor + ", low_freq_factor 1, high_freq_factor 4, original context "
                        + old + ") does not give (" + expect + "): unsupported rope scaling");
            }
        }
        ObjectNode rs = JSON.createObjectNode();
        rs.put("rope_type", "llama3");
        rs.put("factor", factor);
        rs.put("low_freq_factor", low);
        rs.put("high_freq_factor", high);
        rs.put("original_max_position_embeddings", old);
        return rs;
    }

    // ---------------------------------------------------------------- tensors under HF names

    /** The GGUF name of an HF tensor name, or null when it has none. */
    static String ggufName(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight": return "token_embd.weight";
            case "model.norm.weight": return "output_norm.weight";
            case "lm_head.weight": return "output.weight";
            default: break;
        }
        Matcher m = LAYER.matcher(hf);
        if (!m.matches()) return null;
        String rest = switch (m.group(2)) {
            case "input_layernorm.weight" -> "attn_norm.weight";
            case "post_attention_layernorm.weight" -> "ffn_norm.weight";
            case "self_attn.q_proj.weight" -> "attn_q.weight";
            case "self_attn.k_proj.weight" -> "attn_k.weight";
            case "self_attn.v_proj.weight" -> "attn_v.weight";
            case "self_attn.o_proj.weight" -> "attn_output.weight";
            case "self_attn.q_proj.bias" -> "attn_q.bias";
            case "self_attn.k_proj.bias" -> "attn_k.bias";
            case "self_attn.v_proj.bias" -> "attn_v.bias";
            case "self_attn.q_norm.weight" -> "attn_q_norm.weight";
            case "self_attn.k_norm.weight" -> "attn_k_norm.weight";
            case "mlp.gate_proj.weight" -> "ffn_gate.weight";
            case "mlp.up_proj.weight" -> "ffn_up.weight";
            case "mlp.down_proj.weight" -> "ffn_down.weight";
            default -> null;
        };
        return rest == null ? null : "blk." + m.group(1) + "." + rest;
    }

    private String mapped(String hf) {
        String g = ggufName(hf);
        if (g == null) throw new FormatException(gguf.file(), "no GGUF tensor corresponds to '" + hf + "'");
        return g;
    }

    @Override
    public boolean has(String name) {
        String g = ggufName(name);
        return g != null && gguf.has(g);
    }

    /** Heads the converter permuted this tensor's rows over (llama's q and k), or 0. */
    private int permutedHeads(String hf, int rows) {
        if (!arch.equals("llama")) return 0;
        boolean q = hf.contains("self_attn.q_proj."), k = hf.contains("self_attn.k_proj.");
        if (!q && !k) return 0;
        String heads = q ? "attention.head_count" : "attention.head_count_kv";
        return gguf.hasKey(key(heads)) ? gguf.positiveInt(key(heads)) : gguf.positiveInt(key("attention.head_count"));
    }

    @Override
    public Matrix matrix(String name, int rows, int cols) {
        Matrix m = gguf.matrix(mapped(name), rows, cols);
        int heads = permutedHeads(name, rows);
        return heads == 0 ? m : unpermuteRows(m, heads);
    }

    @Override
    public float[] vector(String name, int n) {
        float[] v = gguf.vector(mapped(name), n);
        int heads = permutedHeads(name, n);
        if (heads == 0) return v;
        return unpermuteRows(Matrix.ofFloats(v, n, 1), heads).toFloats();
    }

    /**
     * Undoes llama.cpp's {@code LlamaModel.permute}: within each head of size d, GGUF row {@code 2i + j} is HF row
     * {@code j·d/2 + i} (HF's rotate-half layout, from GGML's interleaved pairs). Copies into this file's arena.
     */
    private Matrix unpermuteRows(Matrix m, int heads) {
        int rows = m.rows();
        if (rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new FormatException(gguf.file(), "cannot undo the rotary permutation of " + rows + " rows over " + heads + " heads");
        }
        int d = rows / heads, half = d / 2;
        long rowBytes = m.dtype().rowBytes(m.cols());
        MemorySegment out = arena.allocate(rows * rowBytes, 64);
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    long src = (long) (h * d + 2 * i + j) * rowBytes, dst = (long) (h * d + j * half + i) * rowBytes;
                    MemorySegment.copy(m.data(), src, out, dst, rowBytes);
                }
            }
        }
        return new Matrix(m.dtype(), out, rows, m.cols());
    }

    @Override
    public void close() {
        arena.close();
    }
}
