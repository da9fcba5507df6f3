package ttsi.agent.method;

import ttsi.engine.format.SharedFolder;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/** A tiny random Qwen2 with the real Qwen2.5 tokenizer and chat template (from shared/), for plumbing tests. */
final class TinyModel {
    private TinyModel() {}

    static Path shared() {
        return SharedFolder.find();
    }

    static EmbeddedModel create(Path dir) throws Exception {
        Path shared = shared();
        Assumptions.assumeTrue(shared != null, "shared/ folder not found beside the checkout; skipping");
        RandomCheckpoint.writeTiny(dir, 3, shared.resolve("models/Qwen2.5-0.5B-Instruct"));
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults().withLearningRate(1e-3));
    }
}
