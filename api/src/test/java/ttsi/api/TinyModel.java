package ttsi.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.tensor.DType;
import ttsi.toolshift.BpeTrainer;

/**
 * A tiny random Qwen2 checkpoint (hidden 16, one layer) with a byte-level BPE tokenizer trained here on a few
 * tool-calling chats and ToolShift's ChatML chat template with tools: a real Hugging Face folder that needs nothing
 * outside the checkout (no shared/ folder, no download).
 */
public final class TinyModel {
    private TinyModel() {}

    static final List<String> CORPUS_LINES = List.of(
            "What is the weather in Paris tomorrow?", "Weather forecast for a city", "Local time in a city",
            "get_weather(city: string, days?: integer): Weather forecast for a city", "get_time(city: string): Local time in a city",
            "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}",
            "[{\"query\": \"How warm is it in Rome?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}]}]",
            "You are a helpful assistant.", "You may call one or more of these functions", "Here are the tools the assistant can call:",
            "Write 1 new user request that the assistant could fulfil with these same tools", "Answer with a JSON list and nothing else:");

    /** Writes the checkpoint into root/model (seeded: the same files every time) and returns that folder. */
    public static Path write(Path root) throws Exception {
        Path dir = root.resolve("model");
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 3; i++) corpus.addAll(CORPUS_LINES);
        BpeTrainer.Result bpe = BpeTrainer.train(corpus, 400, 2);
        Path tok = Files.createDirectories(root.resolve("tokenizer"));
        BpeTrainer.write(bpe, tok, 4096);
        ObjectNode c = Json.object();
        c.putArray("architectures").add("Qwen2ForCausalLM");
        c.put("model_type", "qwen2");
        c.put("hidden_size", 16);
        c.put("intermediate_size", 32);
        c.put("num_hidden_layers", 1);
        c.put("num_attention_heads", 2);
        c.put("num_key_value_heads", 1);
        c.put("vocab_size", bpe.vocabSize());
        c.put("rope_theta", 10000.0);
        c.put("rms_norm_eps", 1e-6);
        c.put("tie_word_embeddings", true);
        c.put("max_position_embeddings", 4096);
        c.put("hidden_act", "silu");
        c.put("bos_token_id", bpe.addedId("<|endoftext|>"));
        c.put("eos_token_id", bpe.addedId("<|im_end|>"));
        RandomCheckpoint.write(dir, c, DType.BF16, 0.2, 3, tok);
        return dir;
    }
}
