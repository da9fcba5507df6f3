package ttsi.agent.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.Sample;
import ttsi.agent.tools.ToolCall;

/** Every variant runs end to end on a tiny random model with the real Qwen2.5 tokenizer and template. */
class TestTimeMethodTest {
    @TempDir
    static Path dir;
    static EmbeddedModel model;
    static Sample sample;

    @BeforeAll
    static void load() throws Exception {
        model = TinyModel.create(dir);
        sample = new Sample("s1", "unit", List.of(Message.user("Weather in Paris?")),
                List.of(DataSynthesizerTest.weather(), UncertaintyTest.tool("get_time")),
                List.of(ToolCall.of("get_weather", java.util.Map.of("city", "Paris"))), null, null);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static TestTimeMethod.Config config(Variant v, InferenceMode mode) {
        var d = TestTimeMethod.Config.defaults(v);
        return new TestTimeMethod.Config(v, PromptFormat.NATIVE, new UncertaintyEstimator.Options(1.01, false, UncertaintyEstimator.SingleTool.CERTAIN, 3),
                new DataSynthesizer.Options(1, 1, new ttsi.agent.model.GenerationOptions(24, 0.7, 1, 0, 0, List.of())), mode, 3, 0.7, 12);
    }

    @Test
    void everyVariantRecordsItsFields() {
        for (Variant v : Variant.values()) {
            if (v == Variant.TT_D) continue; // needs a teacher; covered with the HTTP backend
            var m = new TestTimeMethod(model, null, config(v, InferenceMode.DIRECT));
            SampleOutcome o = m.run(sample, List.of(new PromptFormat.Demo(List.of(Message.user("Time?")), List.of(ToolCall.of("get_time")))), true, 7);
            assertEquals(2, o.uncertainty().candidates().size(), v.key);
            assertTrue(o.uncertainty().uncertain(), v.key + ": tau 1.01 makes everything uncertain");
            assertEquals(1, o.outputs().size(), v.key);
            assertNotNull(o.seconds().get("score"), v.key);
            assertNotNull(o.seconds().get("answer"), v.key);
            boolean synthesized = v.synthesizes && v.selects(true, true);
            assertEquals(synthesized, o.synthesis() != null, v.key);
            if (synthesized) {
                assertEquals(1, o.synthesis().raw().size(), v.key + ": every raw generation is kept");
                assertNotNull(o.seconds().get("synthesize"), v.key);
            }
            if (v == Variant.GOLD) {
                assertTrue(o.adapted());
                assertEquals(5, o.losses().length, "5 epochs x 1 example, batch 1");
                assertNotNull(o.seconds().get("train"));
            }
            if (o.finalParseError() == null) assertNotNull(o.finalCalls());
        }
    }

    @Test
    void seededRunsAreReproducibleAndTheBaseIsRestored() {
        var base = new TestTimeMethod(model, null, config(Variant.BASE, InferenceMode.DIRECT));
        String before = base.run(sample, List.of(), false, 1).outputs().get(0);
        var gold = new TestTimeMethod(model, null, config(Variant.GOLD, InferenceMode.MAJORITY));
        SampleOutcome a = gold.run(sample, List.of(), false, 3), b = gold.run(sample, List.of(), false, 3);
        assertEquals(a.outputs(), b.outputs());
        assertArrayEquals(a.losses(), b.losses());
        assertEquals(3, a.outputs().size());
        assertEquals(before, base.run(sample, List.of(), false, 1).outputs().get(0), "after adapt + reset the base model answers as before");
    }

    @Test
    void majorityVoteIgnoresOrderAndUnparsableAnswers() {
        var x = ToolCall.of("f", java.util.Map.of("a", 1)); var y = ToolCall.of("g");
        List<List<ToolCall>> parsed = List.of(List.of(y), List.of(x, y), List.of(y, x), List.of());
        java.util.ArrayList<String> errors = new java.util.ArrayList<>(java.util.Arrays.asList(null, null, null, "bad"));
        assertEquals(1, TestTimeMethod.majority(parsed, errors));
        assertNull(errors.get(0));
    }

    @Test
    void ttdNeedsATeacher() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TestTimeMethod(model, null, config(Variant.TT_D, InferenceMode.DIRECT)));
        assertTrue(e.getMessage().contains("teacher"));
        assertFalse(Variant.BASE.selects(true, true));
        assertTrue(Variant.CERTAIN_ONLY.selects(false, false));
    }
}
