package ttsi.toolshift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;
import ttsi.agent.method.PromptFormat;
import ttsi.bench.data.Sample;
import ttsi.engine.model.Model;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.train.ResumableTrainer;
import ttsi.engine.train.StepReport;
import ttsi.engine.train.TrainingExample;

class RecipeTest {
    static final ToolShift.Config SMALL = new ToolShift.Config(3, 120, 10, 20, 40, 0.15, PromptFormat.NATIVE);

    /** A very small model for tests: the recipe's code path (two phases, checkpoints every 3 steps), seconds of compute. */
    static Recipe.Spec tiny(String name, long seed, boolean privileged) {
        return new Recipe.Spec(name, new Recipe.Shape(32, 1, 2, 1, 64), List.of(
                new Recipe.Phase("short", 4, new World.Mix(0.1, 1, 2, 0.3), 0.0),
                new Recipe.Phase("full", 4, new World.Mix(0.15, 3, 6, 0.3), 0.3)), 700, 3e-3, privileged, seed, 3);
    }

    @Test
    void trainsALoadableCheckpointWhoseLossFallsAndWatchesDev(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        ResumableTrainer.Result a = Recipe.train(tiny("student", 5, false), data, tok, dir.resolve("a"), 4, null);
        assertEquals(8, a.steps().size());
        assertTrue(a.steps().getLast().loss() < a.steps().getFirst().loss(), "loss falls: " + a.steps());
        // Dev accuracy measured at steps 3, 6 and the last.
        assertEquals(List.of(3, 6, 8), a.evaluations().stream().map(e -> e.path("step").asInt()).toList());
        assertTrue(a.evaluations().getFirst().has("dev_exact_match"));
        assertFalse(Files.exists(dir.resolve("a/work")), "the work folder is removed once the model is saved");
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
    void aRunKilledMidwayResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        Recipe.Spec spec = tiny("student", 9, false);
        Recipe.train(spec, data, tok, dir.resolve("a"), 4, null);
        // Killed during step 5 (after the checkpoint at step 3): the listener throws as a kill would stop the run.
        ResumableTrainer.Listener kill = new ResumableTrainer.Listener() {
            @Override
            public void onStep(ttsi.engine.train.StepReport r) {
                if (r.step() == 5) throw new IllegalStateException("killed");
            }
        };
        assertThrows(IllegalStateException.class, () -> Recipe.train(spec, data, tok, dir.resolve("b"), 4, kill));
        assertTrue(Files.isRegularFile(dir.resolve("b/work/checkpoint/state.json")), "a checkpoint was left behind");
        int[] resumedAt = {-1};
        ResumableTrainer.Result b = Recipe.train(spec, data, tok, dir.resolve("b"), 4, new ResumableTrainer.Listener() {
            @Override
            public void resumed(int step) {
                resumedAt[0] = step;
            }
        });
        assertEquals(3, resumedAt[0]);
        assertEquals(8, b.steps().size(), "the steps before the kill are kept");
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/model.safetensors")), Files.readAllBytes(dir.resolve("b/model.safetensors")),
                "resumed and uninterrupted runs end with the same weights");
    }

    @Test
    void aContinuedModelStartsFromTheTrainedModelItNames(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        Recipe.Spec base = tiny("base", 5, false);
        Recipe.Spec more = new Recipe.Spec("more", base.shape(), List.of(base.phases().getLast()), 700, 1e-3, true, 6, 100, "base");
        assertThrows(IllegalStateException.class, () -> Recipe.train(more, data, tok, dir.resolve("more"), 2, null), "its base is not trained yet");
        ResumableTrainer.Result b = Recipe.train(base, data, tok, dir.resolve("base"), 2, null);
        Files.writeString(dir.resolve("base/training.json"), "{}\n");
        ResumableTrainer.Result m = Recipe.train(more, data, tok, dir.resolve("more"), 2, null);
        assertEquals(4, m.steps().size());
        // It starts where the base ended, not from random weights.
        assertTrue(m.steps().getFirst().loss() < b.steps().getFirst().loss(), m.steps().getFirst() + " vs " + b.steps().getFirst());
    }

    @Test
    void batchesAreAFunctionOfTheStepAndFillTheTokenBudget(@TempDir Path dir) {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        var batches = Recipe.batches(tiny("student", 5, false), data, tok);
        List<TrainingExample> first = batches.batch(2), again = batches.batch(2), other = batches.batch(3);
        assertEquals(first.size(), again.size());
        for (int i = 0; i < first.size(); i++) assertArrayEquals(first.get(i).tokens(), again.get(i).tokens());
        assertFalse(java.util.Arrays.equals(first.getFirst().tokens(), other.getFirst().tokens()), "each step draws fresh samples");
        // Consecutive steps share no sample (seeds one SplittableRandom increment apart would overlap).
        Set<String> seen = new HashSet<>();
        for (int step = 0; step < 10; step++) {
            for (TrainingExample e : batches.batch(step)) assertTrue(seen.add(java.util.Arrays.toString(e.tokens())), "step " + step + " repeats a sample");
        }
        int tokens = first.stream().mapToInt(e -> e.tokens().length).sum();
        assertTrue(tokens >= 700 && tokens < 700 + 2000, "about one batch of tokens: " + tokens);
    }

    @Test
    void privilegedTeacherSeesTheTestSideButNoTestRequest(@TempDir Path dir) {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Set<String> testQueries = new HashSet<>();
        for (Sample s : data.test()) testQueries.add(s.query());
        Set<String> heldOut = data.world().heldOutTools();
        Recipe.Spec teacher = tiny("teacher", 1, true), student = tiny("student", 1, false);
        boolean seesHeldOut = false;
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 400; i++) {
            ObjectNode t = Recipe.record(teacher, teacher.phase(5), data, r.split(), testQueries, List.of());
            ObjectNode s = Recipe.record(student, student.phase(5), data, r.split(), testQueries, List.of());
            for (ObjectNode rec : List.of(t, s)) {
                String text = rec.toString();
                for (String q : testQueries) assertFalse(text.contains(Json.MAPPER.valueToTree(q).toString()), "a test request leaked: " + q);
            }
            for (String h : heldOut) {
                seesHeldOut |= t.toString().contains("\"" + h + "\"") || t.toString().contains("\\\"" + h + "\\\"");
                assertFalse(s.toString().contains("\"" + h + "\"") || s.toString().contains("\\\"" + h + "\\\""), "student data names held-out tool " + h);
            }
        }
        assertTrue(seesHeldOut, "the privileged teacher's data covers held-out tools");
    }

    @Test
    void multiTurnRecordsTrainEveryAnswerOverOneListing(@TempDir Path dir) {
        ToolShift.Data data = Recipe.data(SMALL, 400, dir.resolve("data"));
        Path tokDir = Recipe.tokenizerDir(dir.resolve("data"));
        ttsi.engine.tokenizer.Tokenizer tok = ttsi.engine.tokenizer.Tokenizer.load(tokDir);
        ChatTemplate template = ChatTemplate.load(tokDir);
        Set<String> testQueries = new HashSet<>();
        for (Sample s : data.test()) testQueries.add(s.query());
        Recipe.Spec student = new Recipe.Spec("student", new Recipe.Shape(32, 1, 2, 1, 64),
                List.of(new Recipe.Phase("turns", 4, new World.Mix(0.15, 2, 4, 0.3), 0.0, null, 3)), 700, 3e-3, false, 1, 3);
        SplittableRandom r = new SplittableRandom(9);
        int[] byTurns = new int[4];
        for (int i = 0; i < 200; i++) {
            ObjectNode rec = Recipe.record(student, student.phase(0), data, r.split(), testQueries, List.of());
            if (rec == null) continue;
            List<com.fasterxml.jackson.databind.JsonNode> answers = new java.util.ArrayList<>();
            rec.path("messages").forEach(m -> { if (m.path("role").asText().equals("assistant")) answers.add(m); });
            byTurns[answers.size()]++;
            for (String h : data.world().heldOutTools()) assertFalse(rec.toString().contains("\"" + h + "\""), "student data names held-out tool " + h);
            for (String q : testQueries) assertFalse(rec.toString().contains(Json.MAPPER.valueToTree(q).toString()), "a test request leaked: " + q);
            // Every answer is a target, and nothing else is: the target tokens decode to the answers' text, in order.
            TrainingExample e = ttsi.engine.train.SftExamples.fromChatEveryAnswer(tok, template, rec);
            StringBuilder targets = new StringBuilder();
            int runs = 0;
            for (int t = 0; t < e.tokens().length; t++) {
                if (e.target()[t] && (t == 0 || !e.target()[t - 1])) runs++;
                if (e.target()[t]) targets.append(tok.decode(new int[] {e.tokens()[t]}));
            }
            assertEquals(answers.size(), runs, "one target run per answer");
            for (var a : answers) {
                String name = a.path("tool_calls").get(0).path("function").path("name").asText();
                assertTrue(targets.toString().contains(name), "the answer calling " + name + " is a target: " + targets);
            }
            if (answers.size() == 1) {
                TrainingExample single = ttsi.engine.train.SftExamples.fromChat(tok, template, rec);
                assertArrayEquals(single.tokens(), e.tokens(), "one turn: the same tokens as the last-answer loss");
                assertArrayEquals(single.target(), e.target());
            }
        }
        assertTrue(byTurns[1] > 30 && byTurns[2] > 30 && byTurns[3] > 30, "1 to 3 turns: " + java.util.Arrays.toString(byTurns));
    }

    @Test
    void aStepScaleOutsideZeroToOneIsRefused() {
        Recipe.Spec s = Recipe.base(1);
        assertEquals(s.totalSteps(), s.scaled(1).totalSteps());
        assertEquals(List.of(7, 18), s.scaled(0.01).phases().stream().map(Recipe.Phase::steps).toList());
        assertThrows(IllegalArgumentException.class, () -> s.scaled(0));
        assertThrows(IllegalArgumentException.class, () -> s.scaled(1.5));
    }
}
