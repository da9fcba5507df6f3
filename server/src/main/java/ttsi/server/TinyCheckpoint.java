package ttsi.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import ttsi.engine.format.DType;
import ttsi.engine.model.RandomCheckpoint;

/** A tiny random Qwen2 checkpoint with a real tokenizer and chat template: for load tests of the server itself. */
public final class TinyCheckpoint {
    private TinyCheckpoint() {}

    /** The Qwen2.5 model folder in shared/ ($TTSI_SHARED, else found walking up from the working directory), or null. */
    public static Path defaultTokenizerDir() {
        String env = System.getenv("TTSI_SHARED");
        if (env != null && Files.isDirectory(Path.of(env, "models", "Qwen2.5-0.5B-Instruct"))) return Path.of(env, "models", "Qwen2.5-0.5B-Instruct");
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path q = p.resolve("shared/models/Qwen2.5-0.5B-Instruct");
            if (Files.isDirectory(q)) return q;
        }
        return null;
    }

    /** Writes the checkpoint (hidden 16, one layer, Qwen2.5's vocabulary) with the tokenizer files of tokenizerFrom. */
    public static Path write(Path dir, Path tokenizerFrom) throws IOException {
        RandomCheckpoint.write(dir, new ObjectMapper().readTree("""
                {"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":16,"intermediate_size":32,
                 "num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"vocab_size":151936,
                 "rope_theta":1000000.0,"rms_norm_eps":1e-6,"tie_word_embeddings":true,"max_position_embeddings":4096,
                 "eos_token_id":151645,"bos_token_id":151643,"hidden_act":"silu"}"""), DType.BF16, 0.2, 3, tokenizerFrom);
        return dir;
    }
}
