package ttsi.agent.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.train.TrainConfig;

/** H on a tiny random model whose tokenizer the test writes (no shared/ needed), and on one with Qwen2.5's (from shared/). */
class UncertaintyTest {
    @TempDir
    static Path dir;
    static EmbeddedModel bare, qwen;

    @BeforeAll
    static void load() throws Exception {
        bare = TinyModel.bare(dir.resolve("bare"), TrainConfig.paperDefaults());
    }

    /** The tiny model with the real Qwen2.5 tokenizer and template (the test skips without shared/). */
    static EmbeddedModel qwen() throws Exception {
        if (qwen == null) qwen = TinyModel.create(dir.resolve("qwen"));
        return qwen;
    }

    @AfterAll
    static void close() {
        if (bare != null) bare.close();
        if (qwen != null) qwen.close();
    }

    static ToolSpec tool(String name) {
        var params = Json.object();
        params.put("type", "object");
        params.putObject("properties").putObject("city").put("type", "string");
        params.putArray("required").add("city");
        return ToolSpec.of(name, "Tool " + name, params);
    }

    @Test
    void relativeSoftmaxAndMargin() {
        Uncertainty u = Uncertainty.fromScores(List.of("a", "b", "c"), new double[] {-1, -2, -5}, 0.95);
        double z = 1 + Math.exp(-1) + Math.exp(-4);
        assertEquals(1 / z, u.probabilities()[0], 1e-12);
        assertEquals(1 / z - Math.exp(-1) / z, u.margin(), 1e-12);
        assertEquals("a", u.top());
        assertTrue(u.uncertain());
        assertFalse(u.uncertainAt(0.2));
        Uncertainty sure = Uncertainty.fromScores(List.of("a", "b"), new double[] {0, -20}, 0.95);
        assertFalse(sure.uncertain());
    }

    @Test
    void sharedLeadingTokensAreLeftOut() {
        var a = new TokenLogprobs(List.of("[{", "\"name", "\": \"", "get", "_w"), new double[] {-1, -1, -1, -2, -3});
        var b = new TokenLogprobs(List.of("[{", "\"name", "\": \"", "set"), new double[] {-1, -1, -1, -4});
        assertEquals(3, UncertaintyEstimator.commonPrefix(List.of(a, b)));
        var est = new UncertaintyEstimator(new UncertaintyEstimator.Options(0.95, false, UncertaintyEstimator.SingleTool.CERTAIN, 5));
        double[] s = est.scores(List.of(a, b));
        assertEquals(-5, s[0], 1e-12);
        assertEquals(-4, s[1], 1e-12);
        var mean = new UncertaintyEstimator(new UncertaintyEstimator.Options(0.95, true, UncertaintyEstimator.SingleTool.CERTAIN, 5));
        assertEquals(-2.5, mean.scores(List.of(a, b))[0], 1e-12);
        // one continuation a prefix of the other: at least one token stays
        var c = new TokenLogprobs(List.of("x", "y"), new double[] {-1, -2});
        var d = new TokenLogprobs(List.of("x", "y", "z"), new double[] {-1, -2, -3});
        assertEquals(1, UncertaintyEstimator.commonPrefix(List.of(c, d)));
    }

    @Test
    void nativeCallPrefixComesFromTheChatTemplate() {
        callPrefixes(bare);
    }

    @Test
    void nativeCallPrefixComesFromQwensChatTemplate() throws Exception {
        callPrefixes(qwen());
    }

    /** The model's template writes a call as Qwen2.5's does. */
    static void callPrefixes(EmbeddedModel model) {
        List<Message> msgs = List.of(Message.user("Weather in Paris?"));
        List<ToolSpec> tools = List.of(tool("get_weather"), tool("get_time"));
        String prefix = PromptFormat.NATIVE.callPrefix(model, msgs, tools, "get_weather");
        assertEquals("<tool_call>\n{\"name\": \"get_weather\"", prefix);
        var call = PromptFormat.NATIVE.namedCall(model, msgs, tools, "get_weather");
        assertEquals("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call><|im_end|>\n", call.text());
        assertEquals("get_weather", call.text().substring(call.nameStart(), call.nameEnd()));
        var json = PromptFormat.JSON_LIST.namedCall(model, msgs, tools, "get_time");
        assertEquals("[{\"name\": \"get_time\", \"arguments\": {}}]", json.text());
        assertEquals("get_time", json.text().substring(json.nameStart(), json.nameEnd()));
        assertEquals("[{\"name\": \"get_time\"", PromptFormat.JSON_LIST.callPrefix(model, msgs, tools, "get_time"));
    }

    @Test
    void estimatesOnTheEmbeddedModelAgreeWithDirectScoring() {
        estimatesAgreeWithDirectScoring(bare);
    }

    @Test
    void estimatesWithQwensTokenizerAgreeWithDirectScoring() throws Exception {
        estimatesAgreeWithDirectScoring(qwen());
    }

    static void estimatesAgreeWithDirectScoring(EmbeddedModel model) {
        List<Message> msgs = List.of(Message.user("Weather in Paris?"));
        List<ToolSpec> tools = List.of(tool("get_weather"), tool("get_time"), tool("book_flight"));
        var est = new UncertaintyEstimator(UncertaintyEstimator.Options.defaults());
        for (PromptFormat f : List.of(PromptFormat.NATIVE, PromptFormat.JSON_LIST)) {
            List<Message> prompt = f.messages(msgs, tools, List.of());
            Uncertainty u = est.estimate(model, f, prompt, tools, 1);
            assertEquals(List.of("get_weather", "get_time", "book_flight"), u.candidates());
            double total = 0;
            for (double p : u.probabilities()) total += p;
            assertEquals(1.0, total, 1e-9);
            assertTrue(u.margin() >= 0 && u.margin() <= 1);
            // Differences of scores equal differences of the whole answers' log-probs through the tokens that cover
            // the names (the tokens before the names are shared and cancel).
            double[] through = new double[2];
            for (int i = 0; i < 2; i++) {
                var r = NameTokensTest.render(model, f, prompt, f.templateTools(tools), tools.get(i).name());
                int[] name = NameTokensTest.expectedNameIds(model.tokenizer(), r.text(), r.from(), r.to());
                int end = NameTokensTest.indexOf(model.tokenizer().encode(r.text()), name) + name.length;
                double[] lp = model.score(prompt, f.templateTools(tools), List.of(r.text())).getFirst().logprobs();
                for (int k = 0; k < end; k++) through[i] += lp[k];
            }
            assertEquals(through[0] - through[1], u.scores()[0] - u.scores()[1], 1e-5, f.name());
        }
        Uncertainty single = est.estimate(model, PromptFormat.NATIVE, msgs, List.of(tool("only")), 1);
        assertFalse(single.uncertain());
        assertEquals("single tool", single.reason());
    }
}
