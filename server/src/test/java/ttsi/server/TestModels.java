package ttsi.server;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.format.SharedFolder;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * Test models: a tiny random Qwen2 with the real Qwen2.5 tokenizer and chat template (from shared/), or, needing
 * nothing outside the checkout, with a byte-level tokenizer and a Qwen-like template written here ({@link #bare}).
 */
final class TestModels {
    private TestModels() {}

    static Path shared() {
        return SharedFolder.find();
    }

    /** Writes the tiny checkpoint into dir (skips the test when shared/ is missing). */
    static Path writeTiny(Path dir) throws Exception {
        Path shared = shared();
        Assumptions.assumeTrue(shared != null, "shared/ folder not found beside the checkout; skipping");
        RandomCheckpoint.writeTiny(dir, 3, shared.resolve("models/Qwen2.5-0.5B-Instruct"));
        return dir;
    }

    /** The tiny model; lr is high so that one adaptation visibly changes answers. */
    static EmbeddedModel tiny(Path dir) throws Exception {
        if (!Files.exists(dir.resolve("config.json"))) writeTiny(dir);
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(2).withLearningRate(5e-2));
    }

    /**
     * The tiny model (hidden 16, one layer) over a byte-level BPE of the 256 bytes, a few merges and ChatML's special
     * tokens, with {@link RandomCheckpoint#TOOL_CHAT_TEMPLATE}: written into dir, seeded; lr as {@link #tiny}'s.
     */
    static EmbeddedModel bare(Path dir) throws Exception {
        if (!Files.exists(dir.resolve("config.json"))) {
            RandomCheckpoint.writeByteLevel(dir, 7);
        }
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(2).withLearningRate(5e-2));
    }
}
