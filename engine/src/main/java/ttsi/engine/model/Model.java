package ttsi.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import ttsi.engine.format.Checkpoint;
import ttsi.engine.format.WeightSource;
import ttsi.engine.format.FormatException;
import ttsi.engine.format.GgufCheckpoint;
import ttsi.engine.tokenizer.Tokenizer;

/** A loaded Hugging Face checkpoint folder: config, memory-mapped weights and the decoder over them. */
public final class Model implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final WeightSource checkpoint;
    private final Decoder decoder;
    private Tokenizer tokenizer;

    private Model(Path dir, ModelConfig config, WeightSource checkpoint, Decoder decoder) {
        this.dir = dir;
        this.config = config;
        this.checkpoint = checkpoint;
        this.decoder = decoder;
    }

    /**
     * Loads config.json and the safetensors weights of a checkpoint folder (weights stay memory-mapped), or a GGUF
     * file (a {@code .gguf} path, or a folder without config.json holding one): config, tokenizer and chat template
     * from its metadata.
     */
    public static Model load(Path dir) {
        return load(dir, (ttsi.engine.tensor.DType) null);
    }

    /**
     * {@link #load(Path)} with every weight matrix converted to {@code dtype} once loaded (null: as stored), e.g.
     * Q8_0 (34 bytes per 32 weights: 53% of BF16's memory).
     */
    public static Model load(Path dir, ttsi.engine.tensor.DType dtype) {
        return load(dir, dtype == null ? null : (config, weights) -> weights.converted(dtype, java.lang.foreign.Arena.ofAuto()));
    }

    /**
     * Loads a checkpoint folder and runs the decoder over {@code transform(config, weights)} instead of the stored
     * weights (e.g. with an adapter merged in); the folder's config, tokenizer and chat template are the model's.
     * The returned weights may keep views of the stored ones: they live as long as this model.
     */
    public static Model load(Path dir, java.util.function.BiFunction<ModelConfig, Weights, Weights> transform) {
        Path gguf = GgufCheckpoint.find(dir);
        ModelConfig config;
        WeightSource ckpt;
        if (gguf != null) {
            GgufCheckpoint g = GgufCheckpoint.open(gguf);
            try {
                config = ModelConfig.fromJson(gguf, g.configJson());
            } catch (RuntimeException e) {
                g.close();
                throw e;
            }
            ckpt = g;
        } else {
            config = ModelConfig.load(dir.resolve("config.json"));
            ckpt = Checkpoint.open(dir);
        }
        try {
            Weights w = Weights.load(ckpt, config);
            if (transform != null) w = transform.apply(config, w);
            return new Model(dir, config, ckpt, new Decoder(config, w));
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    /** A model over given weights (e.g. random weights for benchmarks). */
    public static Model of(ModelConfig config, Weights weights) {
        return new Model(null, config, null, new Decoder(config, weights));
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public Decoder decoder() {
        return decoder;
    }

    /** The folder's tokenizer (tokenizer.json or vocab.json + merges.txt), loaded on first use. */
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            if (dir == null) throw new IllegalStateException("this model has no folder to load a tokenizer from");
            tokenizer = Tokenizer.load(dir);
        }
        return tokenizer;
    }

    /**
     * Token ids that end generation: config.json's and generation_config.json's eos_token_id, and the
     * tokenizer's eos token.
     */
    public List<Integer> stopIds() {
        Set<Integer> ids = new LinkedHashSet<>(config.eosTokenIds());
        if (dir != null) {
            Path gen = dir.resolve("generation_config.json");
            if (Files.isRegularFile(gen)) {
                try {
                    JsonNode e = new ObjectMapper().readTree(gen.toFile()).path("eos_token_id");
                    if (e.isArray()) e.forEach(x -> ids.add(x.asInt()));
                    else if (e.isNumber()) ids.add(e.asInt());
                } catch (IOException ex) {
                    throw new FormatException(gen, "not valid JSON: " + ex.getMessage());
                }
            }
            tokenizer().eosId().ifPresent(ids::add);
        }
        return List.copyOf(ids);
    }

    @Override
    public void close() {
        if (checkpoint != null) checkpoint.close();
    }
}
