package ttsi.agent.method;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.format.SharedFolder;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * Tiny random Qwen2 models for plumbing tests: {@link #create} with the real Qwen2.5 tokenizer and chat template
 * (from shared/; the test skips without it), {@link #bare} with a byte-level tokenizer and a Qwen-like template
 * written here, which needs nothing outside the checkout.
 */
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

    /**
     * A one-layer random Qwen2 (hidden 16) over a byte-level BPE of the 256 bytes, a few merges and ChatML's special
     * tokens, with {@link RandomCheckpoint#TOOL_CHAT_TEMPLATE}: a real model folder written into dir, seeded (the same files every time).
     */
    static EmbeddedModel bare(Path dir, TrainConfig training) throws Exception {
        RandomCheckpoint.writeByteLevel(dir, 7);
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), training);
    }
}
