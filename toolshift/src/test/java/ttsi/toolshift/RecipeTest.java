package ttsi.toolshift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.tools.Sample;
import ttsi.engine.model.Model;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;

class RecipeTest {
    static final ToolShift.Config SMALL = new ToolShift.Config(3, 120, 10, 20, 40, 0.15, PromptFormat.NATIVE);

    /** A very small model for tests: the recipe's code path, seconds of compute. */
    static Recipe.Spec tiny(String name, long seed) {
        return new Recipe.Spec(name, new Recipe.Shape(32, 1, 2, 1, 64), List.of(
                new Recipe.Stage(new TrainConfig(1, 4, 1, 3e-3, 0.03, "cosine", 0.01, 1.0, true, seed), true),
                new Recipe.Stage(new TrainConfig(1, 4, 1, 3e-3, 0.03, "cosine", 0.01, 1.0, true, seed + 1), false)), false, seed);
    }

    @Test
    void trainsLoadableDeterministicCheckpointsWhoseLossFalls(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        List<ObjectNode> records = Recipe.records(data, false).subList(0, 48);
        List<TrainingExample> all = Recipe.examples(records, tok, true), answers = Recipe.examples(records, tok, false);
        assertTrue(all.get(0).targetCount() > 3 * answers.get(0).targetCount(), "every token vs the answer only");
        Recipe.Result a = Recipe.trainStage(tiny("student", 5), 0, all, tok, dir.resolve("a"), null);
        assertEquals(12, a.steps().size());
        assertTrue(a.steps().getLast().loss() < a.steps().getFirst().loss(), "loss falls: " + a.steps());
        Recipe.Result a2 = Recipe.trainStage(tiny("student", 5), 1, answers, tok, dir.resolve("a"), null);
        assertEquals(12, a2.steps().size());
        // The same stages again give the same bytes (stage 2 starts from the saved stage-1 checkpoint either way).
        Recipe.trainStage(tiny("student", 5), 0, all, tok, dir.resolve("b"), null);
        Recipe.trainStage(tiny("student", 5), 1, answers, tok, dir.resolve("b"), null);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/model.safetensors")), Files.readAllBytes(dir.resolve("b/model.safetensors")),
                "same seed, same weights");
        // An ordinary HF folder: config, bf16 weights, tokenizer and a chat template the rest of ttsi loads.
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(dir.resolve("a").resolve(f)), f);
        }
        try (Model m = Model.load(dir.resolve("a"))) {
            assertEquals(m.tokenizer().vocabSize(), m.config().vocabSize());
            assertTrue(m.stopIds().contains(m.tokenizer().id("<|im_end|>").getAsInt()));
            ChatTemplate.load(dir.resolve("a"));
        }
    }

    @Test
    void teacherSeesTheTestSideButNoTestRequest(@TempDir Path dir) {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        List<ObjectNode> narrow = Recipe.records(data, false), broad = Recipe.records(data, true);
        assertEquals(ToolShift.sftRecords(data).size(), narrow.size());
        assertTrue(broad.size() > narrow.size() * 1.3, broad.size() + " vs " + narrow.size());
        Set<String> testQueries = new HashSet<>();
        for (Sample s : data.test()) testQueries.add(s.query());
        Set<String> heldOut = data.world().heldOutTools();
        boolean seesHeldOut = false;
        for (ObjectNode r : broad) {
            String text = r.toString();
            for (String q : testQueries) assertTrue(!text.contains(ttsi.agent.tools.Json.MAPPER.valueToTree(q).toString()), "a test request leaked: " + q);
            for (String t : heldOut) seesHeldOut |= text.contains("\\\"" + t + "\\\"") || text.contains("\"" + t + "\"");
        }
        assertTrue(seesHeldOut, "the teacher's data covers held-out tools");
        for (ObjectNode r : narrow) {
            String text = r.toString();
            for (String t : heldOut) assertTrue(!text.contains("\"name\":\"" + t + "\""), "student data names held-out tool " + t);
        }
    }
}
