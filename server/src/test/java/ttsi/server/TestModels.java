package ttsi.server;

import ttsi.engine.format.SharedFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/** Test models: a tiny random Qwen2 with the real Qwen2.5 tokenizer and chat template (from shared/). */
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
}
