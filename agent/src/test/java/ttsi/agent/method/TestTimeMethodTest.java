package ttsi.agent.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.model.AdaptableModel;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.train.TrainConfig;

/**
 * Algorithm 1 end to end on a real tiny model ({@link TinyModel#bare}: a random Qwen2 with a tokenizer written by
 * the test, so no shared/ folder is needed): H scores, T trains a real LoRA adapter and the reset restores the base
 * model. A random model writes no valid synthetic pair, so where a test needs one, G's generation alone is scripted
 * (the student's other calls, scoring, training and answering, go to the real model) or a scripted teacher writes it.
 * Expected answers come from the engine itself, adapted on the pairs the test writes out.
 */
class TestTimeMethodTest {
    @TempDir
    static Path dir;
    static EmbeddedModel model;

    static final List<ToolSpec> TOOLS = List.of(DataSynthesizerTest.weather(), UncertaintyTest.tool("get_time"));
    static final Message SYSTEM = Message.system("You call tools.");
    static final Message QUERY = Message.user("Weather in Paris?");
    static final List<ToolCall> GOLD = List.of(ToolCall.of("get_weather", Map.of("city", "Paris")));
    /** The pair a generator writes, and what it says. */
    static final String PAIR = "[{\"query\": \"How warm is it in Rome?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}]}]";
    static final ToolCall ROME = ToolCall.of("get_weather", Map.of("city", "Rome"));
    /** T's example for that pair: the new request under the input's system prompt, answered with its call. */
    static final TrainingPair ROME_PAIR = new TrainingPair(List.of(SYSTEM, Message.user("How warm is it in Rome?")), TOOLS,
            Message.assistantCalls("", List.of(ROME)));
    static final int MAX_TOKENS = 12;
    static final long SEED = 7;

    @BeforeAll
    static void load() throws Exception {
        // lr 5e-2 (not the paper's 1e-4) so that five steps move the tiny model visibly
        model = TinyModel.bare(dir.resolve("bare"), TrainConfig.paperDefaults().withLearningRate(5e-2));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    /** Algorithm 1 on the test's input (the query, its two tools, its gold answer) with the pool's demonstrations. */
    static SampleOutcome runOn(TestTimeMethod method, List<PromptFormat.Demo> pool, boolean randomlyDrawn, long seed) {
        return method.run(method.input(List.of(SYSTEM, QUERY), TOOLS, GOLD, pool), randomlyDrawn, seed);
    }

    /** tau 1.01: every input with two tools is uncertain; tau 0: none is. */
    static TestTimeMethod.Config config(Plan plan, double tau, InferenceMode mode) {
        return new TestTimeMethod.Config(plan, PromptFormat.NATIVE, new UncertaintyEstimator.Options(tau, false, UncertaintyEstimator.SingleTool.CERTAIN, 3),
                new DataSynthesizer.Options(1, 1, new GenerationOptions(24, 0.7, 1, 0, 0, List.of())), new Answering(mode, 3, 0.7, MAX_TOKENS));
    }

    static TestTimeMethod.Config config(Variant v, InferenceMode mode) {
        return config(v.plan, 1.01, mode);
    }

    /** The base model's greedy answer to the sample. */
    static String baseAnswer() {
        return model.generate(List.of(SYSTEM, QUERY), TOOLS, GenerationOptions.greedy(MAX_TOKENS)).text();
    }

    /**
     * The real tiny model, except that G's prompts are answered with a scripted text; it records what G and the
     * answer were asked and what T trained on.
     */
    static final class ScriptedSynthesis implements AdaptableModel {
        final EmbeddedModel real;
        final String synthetic;
        final List<List<Message>> synthesisPrompts = new ArrayList<>(), answerPrompts = new ArrayList<>();
        final List<List<TrainingPair>> trained = new ArrayList<>();

        ScriptedSynthesis(EmbeddedModel real, String synthetic) {
            this.real = real;
            this.synthetic = synthetic;
        }

        @Override
        public String id() {
            return real.id();
        }

        @Override
        public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
            if (messages.getFirst().content().equals(DataSynthesizer.SYSTEM)) {
                synthesisPrompts.add(messages);
                return new Completion(synthetic, "stop", 0, 0, 0);
            }
            answerPrompts.add(messages);
            return real.generate(messages, tools, options);
        }

        @Override
        public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
            return real.score(messages, tools, continuations);
        }

        @Override
        public List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
            return real.scoreThrough(messages, tools, continuations, ends);
        }

        @Override
        public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
            return real.assistantText(messages, tools, answer);
        }

        @Override
        public Adapted adapt(List<TrainingPair> examples, long seed) {
            trained.add(examples);
            return real.adapt(examples, seed);
        }
    }

    /** A teacher that writes the same text for every prompt, or fails with the given message. */
    static final class Teacher implements LanguageModel {
        final String text, failure;
        final List<List<Message>> prompts = new ArrayList<>();

        Teacher(String text, String failure) {
            this.text = text;
            this.failure = failure;
        }

        @Override
        public String id() {
            return "teacher";
        }

        @Override
        public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
            prompts.add(messages);
            if (failure != null) throw new IllegalStateException(failure);
            return new Completion(text, "stop", 0, 0, 0);
        }
    }

    static List<String> stages(SampleOutcome o) {
        return List.copyOf(o.seconds().keySet());
    }

    @Test
    void selfWrittenPairIsTrainedUnderTheSystemPromptAnsweredWithAndDropped() {
        String before = baseAnswer();
        ScriptedSynthesis student = new ScriptedSynthesis(model, PAIR);
        SampleOutcome o = runOn(new TestTimeMethod(student, null, config(Variant.TT_SI, InferenceMode.DIRECT)), List.of(), false, SEED);

        assertTrue(o.uncertainty().uncertain());
        assertEquals(List.of("get_weather", "get_time"), o.uncertainty().candidates());
        // G: the student itself was asked, shown the request but not the system prompt
        assertEquals(1, student.synthesisPrompts.size());
        String asked = student.synthesisPrompts.getFirst().getLast().content();
        assertTrue(asked.contains("Weather in Paris?"), asked);
        assertFalse(asked.contains("You call tools."), "G is never shown the system prompt: " + asked);
        assertEquals(List.of(PAIR), o.synthesis().raw());
        assertEquals(List.of(new DataSynthesizer.Pair("How warm is it in Rome?", List.of(ROME))), o.synthesis().pairs());
        // T: that one pair, under the input's system prompt
        assertEquals(List.of(List.of(ROME_PAIR)), student.trained);
        assertTrue(o.adapted());
        assertEquals(List.of("score", "synthesize", "train", "answer"), stages(o));
        // the answer is the adapted model's: the engine adapted on the same pair with the same seed answers the same
        try (AdaptableModel.Adapted a = model.adapt(List.of(ROME_PAIR), SEED)) {
            assertArrayEquals(a.losses(), o.losses());
            assertEquals(TrainConfig.paperDefaults().epochs(), o.losses().length, "5 epochs x 1 pair, batch 1");
            assertEquals(a.generate(List.of(SYSTEM, QUERY), TOOLS, GenerationOptions.greedy(MAX_TOKENS)).text(), o.outputs().getFirst());
        }
        assertEquals(List.of(), student.answerPrompts, "the base model did not answer");
        // reset: the base model answers as before
        assertEquals(before, baseAnswer());
    }

    @Test
    void aTeacherWritesTheDataOfTtDAndOfAForcedTtD() {
        ScriptedSynthesis student = new ScriptedSynthesis(model, "not asked");
        Teacher teacher = new Teacher(PAIR, null);
        SampleOutcome o = runOn(new TestTimeMethod(student, teacher, config(Variant.TT_D, InferenceMode.DIRECT)), List.of(), false, SEED);
        assertTrue(o.adapted());
        assertEquals(List.of(PAIR), o.synthesis().raw());
        assertEquals(1, teacher.prompts.size());
        assertFalse(teacher.prompts.getFirst().getLast().content().contains("You call tools."), "the teacher is never sent the system prompt");
        assertEquals(List.of(), student.synthesisPrompts);
        assertEquals(List.of(List.of(ROME_PAIR)), student.trained);

        // tau 0: the input is certain. TT-D then answers with the base model; "all" with a teacher (a forced TT-D) adapts anyway.
        Plan forced = Plan.adaptation(true, true);
        assertEquals(Plan.Selection.ALL, forced.selection());
        assertEquals(Plan.Data.TEACHER, forced.data());
        SampleOutcome certain = runOn(new TestTimeMethod(student, teacher, config(Plan.adaptation(false, true), 0, InferenceMode.DIRECT)), List.of(), false, SEED);
        assertFalse(certain.uncertainty().uncertain());
        assertFalse(certain.adapted());
        assertNull(certain.synthesis());
        assertEquals(List.of("score", "answer"), stages(certain));
        assertEquals(baseAnswer(), certain.outputs().getFirst());
        assertEquals(1, teacher.prompts.size(), "no teacher call for a certain input");
        SampleOutcome f = runOn(new TestTimeMethod(student, teacher, config(forced, 0, InferenceMode.DIRECT)), List.of(), false, SEED);
        assertFalse(f.uncertainty().uncertain());
        assertTrue(f.adapted());
        assertEquals(2, teacher.prompts.size());
        assertEquals(List.of(List.of(ROME_PAIR), List.of(ROME_PAIR)), student.trained);
        assertEquals(o.outputs(), f.outputs(), "the same pair and seed: the same adapted answer");
    }

    @Test
    void aFailingTeacherIsRecordedAndTheBaseModelAnswers() {
        ScriptedSynthesis student = new ScriptedSynthesis(model, "not asked");
        Teacher down = new Teacher(null, "connection refused");
        SampleOutcome o = runOn(new TestTimeMethod(student, down, config(Variant.TT_D, InferenceMode.DIRECT)), List.of(), false, SEED);
        assertFalse(o.adapted());
        assertEquals(List.of("teacher failed: connection refused"), o.synthesis().rejections());
        assertEquals(List.of(), o.synthesis().pairs());
        assertEquals(0, o.synthesis().attempts());
        assertEquals(List.of("score", "synthesize", "answer"), stages(o));
        assertEquals(List.of(), student.trained);
        assertEquals(baseAnswer(), o.outputs().getFirst());
        assertEquals(0, o.losses().length);
    }

    @Test
    void demonstrationsFollowTheSystemPrompt() {
        // TT-SI + ICL: the self-written pair becomes a demonstration; nothing is trained
        ScriptedSynthesis student = new ScriptedSynthesis(model, PAIR);
        SampleOutcome o = runOn(new TestTimeMethod(student, null, config(Variant.TT_SI_ICL, InferenceMode.DIRECT)), List.of(), false, SEED);
        assertFalse(o.adapted());
        assertEquals(List.of(), student.trained);
        List<Message> shown = List.of(SYSTEM, Message.user("How warm is it in Rome?"), Message.assistantCalls("", List.of(ROME)), QUERY);
        assertEquals(List.of(shown), student.answerPrompts);
        assertEquals(model.generate(shown, TOOLS, GenerationOptions.greedy(MAX_TOKENS)).text(), o.outputs().getFirst());
        assertEquals(List.of("score", "synthesize", "answer"), stages(o));

        // ICL: the pool's demonstration, on every input, and no synthesis
        ScriptedSynthesis icl = new ScriptedSynthesis(model, PAIR);
        PromptFormat.Demo demo = new PromptFormat.Demo(List.of(Message.user("Time in Lima?")), List.of(ToolCall.of("get_time", Map.of("city", "Lima"))));
        SampleOutcome i = runOn(new TestTimeMethod(icl, null, config(Variant.ICL, InferenceMode.DIRECT)), List.of(demo), false, SEED);
        assertEquals(List.of(List.of(SYSTEM, demo.conversation().getFirst(), Message.assistantCalls("", demo.calls()), QUERY)), icl.answerPrompts);
        assertEquals(List.of(), icl.synthesisPrompts);
        assertNull(i.synthesis());
    }

    /** What each named variant does on an uncertain input (drawn, for RANDOM) when the random model writes no valid pair. */
    static void everyVariantRecordsItsSteps(EmbeddedModel m) {
        Map<Variant, List<String>> expected = Map.of(
                Variant.BASE, List.of("score", "answer"),
                Variant.ICL, List.of("score", "answer"),
                Variant.TT_SI, List.of("score", "synthesize", "answer"),
                Variant.TT_SI_ICL, List.of("score", "synthesize", "answer"),
                Variant.ALL, List.of("score", "synthesize", "answer"),
                Variant.CERTAIN_ONLY, List.of("score", "answer"),
                Variant.RANDOM, List.of("score", "synthesize", "answer"),
                Variant.GOLD, List.of("score", "train", "answer"));
        for (Variant v : Variant.values()) {
            if (v == Variant.TT_D) continue; // needs a teacher: above
            var method = new TestTimeMethod(m, null, config(v, InferenceMode.DIRECT));
            SampleOutcome o = runOn(method, List.of(new PromptFormat.Demo(List.of(Message.user("Time?")), List.of(ToolCall.of("get_time")))), true, SEED);
            assertEquals(2, o.uncertainty().candidates().size(), v.key);
            assertTrue(o.uncertainty().uncertain(), v.key + ": tau 1.01 makes everything uncertain");
            assertEquals(1, o.outputs().size(), v.key);
            assertEquals(expected.get(v), stages(o), v.key);
            boolean synthesized = expected.get(v).contains("synthesize");
            assertEquals(synthesized, o.synthesis() != null, v.key);
            if (synthesized) assertEquals(1, o.synthesis().raw().size(), v.key + ": every raw generation is kept");
            assertEquals(v == Variant.GOLD, o.adapted(), v.key);
            assertEquals(v == Variant.GOLD ? 5 : 0, o.losses().length, v.key + ": 5 epochs x 1 example, batch 1");
            if (o.finalParseError() == null) assertNotNull(o.finalCalls());
        }
    }

    @Test
    void everyVariantRecordsItsSteps() {
        everyVariantRecordsItsSteps(model);
    }

    /** The same with the real Qwen2.5 tokenizer and chat template (skips without shared/). */
    @Test
    void everyVariantRecordsItsStepsWithQwensTemplate(@TempDir Path qwenDir) throws Exception {
        try (EmbeddedModel qwen = TinyModel.create(qwenDir)) {
            everyVariantRecordsItsSteps(qwen);
        }
    }

    @Test
    void seededRunsAreReproducibleAndTheBaseIsRestored() {
        var base = new TestTimeMethod(model, null, config(Variant.BASE, InferenceMode.DIRECT));
        String before = runOn(base, List.of(), false, 1).outputs().get(0);
        assertEquals(baseAnswer(), before);
        var gold = new TestTimeMethod(model, null, config(Variant.GOLD, InferenceMode.MAJORITY));
        SampleOutcome a = runOn(gold, List.of(), false, 3), b = runOn(gold, List.of(), false, 3);
        assertEquals(a.outputs(), b.outputs());
        assertArrayEquals(a.losses(), b.losses());
        assertEquals(3, a.outputs().size());
        assertEquals(before, runOn(base, List.of(), false, 1).outputs().get(0), "after adapt + reset the base model answers as before");
    }

    @Test
    void majorityVoteIgnoresOrderAndUnparsableAnswers() {
        var x = ToolCall.of("f", Map.of("a", 1)); var y = ToolCall.of("g");
        List<List<ToolCall>> parsed = List.of(List.of(y), List.of(x, y), List.of(y, x), List.of());
        java.util.ArrayList<String> errors = new java.util.ArrayList<>(java.util.Arrays.asList(null, null, null, "bad"));
        assertEquals(1, TestTimeMethod.majority(parsed, errors));
        assertNull(errors.get(0));
    }

    @Test
    void plansAreCheckedAgainstTheirModels() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TestTimeMethod(model, null, config(Variant.TT_D, InferenceMode.DIRECT)));
        assertTrue(e.getMessage().contains("teacher"));
        var f = assertThrows(IllegalArgumentException.class, () -> new TestTimeMethod(new Teacher("x", null), null, config(Variant.TT_SI, InferenceMode.DIRECT)));
        assertTrue(f.getMessage().contains("adapted"));
        assertThrows(IllegalArgumentException.class, () -> new Plan("x", Plan.Selection.ALL, Plan.Data.NONE, true, Plan.Demos.NONE));
        assertThrows(IllegalArgumentException.class, () -> new Plan("x", Plan.Selection.ALL, Plan.Data.GOLD, false, Plan.Demos.SYNTHETIC));
        assertFalse(Variant.BASE.selects(true, true));
        assertTrue(Variant.CERTAIN_ONLY.selects(false, false));
        assertFalse(Variant.RANDOM.selects(true, false));
    }
}
