package ttsi.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ttsi.engine.format.FormatException;

/**
 * The decoder's hyper-parameters, read from a Hugging Face {@code config.json} (transformers v4 and v5 layouts).
 * One decoder covers the families we support; they differ only in the flags below.
 */
public record ModelConfig(
        Family family,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        float rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean qkNorm,
        int slidingWindow,
        List<Integer> eosTokenIds,
        Integer bosTokenId,
        String torchDtype) {

    /** Architecture families: Qwen2/2.5 (q/k/v bias), Llama 3.x and SmolLM2, Qwen3 (q/k norm), Mistral. */
    public enum Family { QWEN2, LLAMA, QWEN3, MISTRAL }

    /** Llama 3 frequency-dependent RoPE scaling ({@code rope_type: "llama3"}). */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {}

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Number of parameters (embeddings counted once when tied). */
    public long parameterCount() {
        long h = hiddenSize, attn = h * qDim() + 2 * h * kvDim() + (long) qDim() * h;
        long mlp = 3 * h * intermediateSize;
        long perLayer = attn + mlp + 2 * h + (attentionBias ? qDim() + 2L * kvDim() : 0) + (qkNorm ? 2L * headDim : 0);
        long emb = (long) vocabSize * h;
        return emb * (tieWordEmbeddings ? 1 : 2) + numLayers * perLayer + h;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelConfig load(Path configJson) {
        if (!Files.isRegularFile(configJson)) throw new FormatException(configJson, "file not found (a Hugging Face checkpoint folder needs config.json)");
        JsonNode n;
        try {
            n = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new FormatException(configJson, "not valid JSON: " + e.getMessage());
        }
        return fromJson(configJson, n);
    }

    public static ModelConfig fromJson(Path file, JsonNode n) {
        if (n == null || !n.isObject()) throw new FormatException(file, "expected a JSON object");
        String modelType = n.path("model_type").asText("");
        String arch = n.path("architectures").path(0).asText("");
        Family family = switch (modelType) {
            case "qwen2" -> Family.QWEN2;
            case "llama" -> Family.LLAMA;
            case "qwen3" -> Family.QWEN3;
            case "mistral" -> Family.MISTRAL;
            default -> switch (arch) {
                case "Qwen2ForCausalLM" -> Family.QWEN2;
                case "LlamaForCausalLM" -> Family.LLAMA;
                case "Qwen3ForCausalLM" -> Family.QWEN3;
                case "MistralForCausalLM" -> Family.MISTRAL;
                default -> throw new FormatException(file, "unsupported architecture: model_type '" + modelType
                        + "', architectures " + n.path("architectures") + " (supported: qwen2, llama, qwen3, mistral)");
            };
        };
        int hidden = req(file, n, "hidden_size");
        int heads = req(file, n, "num_attention_heads");
        int kvHeads = n.has("num_key_value_heads") && !n.get("num_key_value_heads").isNull() ? req(file, n, "num_key_value_heads") : heads;
        int headDim = n.has("head_dim") && !n.get("head_dim").isNull() ? req(file, n, "head_dim") : hidden / heads;
        if (heads % kvHeads != 0) throw new FormatException(file, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        if (headDim % 2 != 0) throw new FormatException(file, "head_dim " + headDim + " must be even for rotary embeddings");
        String act = n.path("hidden_act").asText("silu");
        if (!act.equals("silu")) throw new FormatException(file, "hidden_act '" + act + "' is not supported (expected silu)");
        if (n.path("mlp_bias").asBoolean(false)) throw new FormatException(file, "mlp_bias true is not supported");

        // transformers v5 moves rope settings into rope_parameters.
        JsonNode ropeParams = n.path("rope_parameters");
        double theta = n.has("rope_theta") ? positive(file, n, "rope_theta", 10000.0) : positive(file, ropeParams, "rope_parameters.rope_theta", 10000.0);
        JsonNode rs = n.path("rope_scaling");
        if (rs.isMissingNode() || rs.isNull()) rs = ropeParams;
        RopeScaling scaling = null;
        String ropeType = rs.path("rope_type").asText(rs.path("type").asText("default"));
        switch (ropeType) {
            case "default", "" -> { }
            case "llama3" -> scaling = new RopeScaling("llama3", positive(file, rs, "rope_scaling.factor", 8), positive(file, rs, "rope_scaling.low_freq_factor", 1),
                    positive(file, rs, "rope_scaling.high_freq_factor", 4), optionalInt(file, rs, "rope_scaling.original_max_position_embeddings", 8192));
            default -> throw new FormatException(file, "rope scaling type '" + ropeType + "' is not supported (expected default or llama3)");
        }
        boolean bias = switch (family) {
            case QWEN2 -> true; // Qwen2 always has q/k/v bias
            default -> n.path("attention_bias").asBoolean(false);
        };
        int window = 0;
        if (family == Family.MISTRAL || n.path("use_sliding_window").asBoolean(false)) {
            window = n.path("sliding_window").isNumber() ? optionalInt(file, n, "sliding_window", 0) : 0;
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode e = n.path("eos_token_id");
        if (e.isArray()) e.forEach(x -> eos.add(x.asInt()));
        else if (e.isNumber()) eos.add(e.asInt());
        Integer bos = n.path("bos_token_id").isNumber() ? n.get("bos_token_id").asInt() : null;
        String dtype = n.path("torch_dtype").asText(n.path("dtype").asText("float32")).toLowerCase(Locale.ROOT);
        return new ModelConfig(family, hidden, req(file, n, "intermediate_size"), req(file, n, "num_hidden_layers"), heads, kvHeads,
                headDim, req(file, n, "vocab_size"), (float) positive(file, n, "rms_norm_eps", 1e-6), theta, scaling,
                optionalInt(file, n, "max_position_embeddings", 32768), n.path("tie_word_embeddings").asBoolean(false), bias,
                family == Family.QWEN3, window, List.copyOf(eos), bos, dtype);
    }

    /** A required positive integer (64.5, "64" and 0 are refused: a size that is not whole would load and compute garbage). */
    private static int req(Path file, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !isWhole(v) || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new FormatException(file, "field '" + field + "' is missing or not a positive integer" + (v == null ? "" : " (got " + v + ")"));
        }
        return v.asInt();
    }

    /** An optional positive integer; {@code field} may be a dotted path for the message, its last part is looked up. */
    private static int optionalInt(Path file, JsonNode n, String field, int dflt) {
        JsonNode v = n.path(field.substring(field.lastIndexOf('.') + 1));
        if (v.isMissingNode() || v.isNull()) return dflt;
        if (!isWhole(v) || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new FormatException(file, "field '" + field + "' must be a positive integer (got " + v + ")");
        }
        return v.asInt();
    }

    /** An optional finite number > 0 (rope_theta "abc" or rms_norm_eps -1 would make every logit NaN). */
    private static double positive(Path file, JsonNode n, String field, double dflt) {
        JsonNode v = n.path(field.substring(field.lastIndexOf('.') + 1));
        if (v.isMissingNode() || v.isNull()) return dflt;
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() <= 0) {
            throw new FormatException(file, "field '" + field + "' must be a number > 0 (got " + v + ")");
        }
        return v.asDouble();
    }

    private static boolean isWhole(JsonNode v) {
        return v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && Double.isFinite(v.asDouble()));
    }
}
