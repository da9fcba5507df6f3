package ttsi.engine.model;

import java.nio.file.Path;
import ttsi.engine.format.Checkpoint;

/** A loaded Hugging Face checkpoint folder: config, memory-mapped weights and the decoder over them. */
public final class Model implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final Checkpoint checkpoint;
    private final Decoder decoder;

    private Model(Path dir, ModelConfig config, Checkpoint checkpoint, Decoder decoder) {
        this.dir = dir;
        this.config = config;
        this.checkpoint = checkpoint;
        this.decoder = decoder;
    }

    /** Loads config.json and the safetensors weights of a checkpoint folder (weights stay memory-mapped). */
    public static Model load(Path dir) {
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        Checkpoint ckpt = Checkpoint.open(dir);
        try {
            return new Model(dir, config, ckpt, new Decoder(config, Weights.load(ckpt, config)));
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

    @Override
    public void close() {
        if (checkpoint != null) checkpoint.close();
    }
}
