package ttsi.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import ttsi.engine.tensor.DType;

/** Small random-weight decoders built in memory, for property tests (golden tests use real files). */
public final class TinyModels {
    private TinyModels() {}

    public static ModelConfig config(String json) {
        try {
            return ModelConfig.fromJson(Path.of("inline-config.json"), new ObjectMapper().readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelConfig qwen2() {
        return config("""
                {"model_type":"qwen2","hidden_size":32,"intermediate_size":80,"num_hidden_layers":2,
                 "num_attention_heads":4,"num_key_value_heads":2,"vocab_size":97,"rope_theta":10000.0,
                 "rms_norm_eps":1e-6,"tie_word_embeddings":true}""");
    }

    public static ModelConfig llama3() {
        return config("""
                {"model_type":"llama","hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
                 "num_attention_heads":8,"num_key_value_heads":2,"head_dim":8,"vocab_size":101,"rope_theta":500000.0,
                 "rope_scaling":{"rope_type":"llama3","factor":32,"low_freq_factor":1,"high_freq_factor":4,
                 "original_max_position_embeddings":64},"rms_norm_eps":1e-5,"tie_word_embeddings":false}""");
    }

    public static ModelConfig mistralWindow() {
        return config("""
                {"model_type":"mistral","hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,
                 "num_attention_heads":4,"num_key_value_heads":1,"vocab_size":90,"sliding_window":5,
                 "rms_norm_eps":1e-5}""");
    }

    public static Decoder random(ModelConfig c, long seed) {
        // Larger-than-benchmark scale so that attention patterns are not uniform.
        Weights w = Weights.random(c, DType.F32, seed, Arena.ofAuto());
        return new Decoder(c, w);
    }
}
