package ttsi.agent.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.tokenizer.Tokenizer;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * H scores each candidate on the tokens the model itself writes for the name: the answer naming it is tokenized
 * whole and the tokens covering the name and its closing quote are scored, so a closing quote that merges with the next character
 * ({@code ",}) is scored as that merged token, never as a lone {@code "}. Expected tokens are computed here
 * independently: the rendered answer is tokenized directly and sliced by the characters each token decodes to.
 */
class NameTokensTest {

    /** The token span of text covering chars [from, to): first token overlapping from through last overlapping to - 1. */
    static int[] expectedNameIds(Tokenizer tok, String text, int from, int to) {
        int[] ids = tok.encode(text);
        int first = -1, last = -1;
        for (int k = 0; k < ids.length; k++) {
            int start = tok.decode(Arrays.copyOf(ids, k)).length();
            int end = tok.decode(Arrays.copyOf(ids, k + 1)).length();
            if (first < 0 && end > from) first = k;
            if (start < to && end > from) last = k;
        }
        assertEquals(text, tok.decode(ids), "the tokens spell the text");
        return Arrays.copyOfRange(ids, first, last + 1);
    }

    /** The answer text the test renders itself for a candidate, and where the name and its closing quote sit in it. */
    record Rendered(String text, int from, int to) {}

    static Rendered render(EmbeddedModel model, PromptFormat f, List<Message> prompt, List<ToolSpec> tools, String name) {
        String text = f == PromptFormat.NATIVE
                ? model.assistantText(prompt, tools, Message.assistantCalls("", List.of(ToolCall.of(name))))
                : "[{\"name\": \"" + name + "\", \"arguments\": {}}]";
        int from = text.indexOf("\"" + name + "\"") + 1;
        assertTrue(from > 0, text);
        return new Rendered(text, from, from + name.length() + 1);
    }

    /**
     * For each format and candidate: the scored ids are the rendering's ids over the name, the last of them is the
     * merged {@code ",} token, and the score is the sum of those tokens' log-probabilities in the whole rendering.
     */
    static void check(EmbeddedModel model, List<String> names, String mergedToken) {
        Tokenizer tok = model.tokenizer();
        List<ToolSpec> tools = names.stream().map(UncertaintyTest::tool).toList();
        List<Message> conversation = List.of(Message.user("Weather in Paris?"));
        for (boolean mean : new boolean[] {false, true}) {
            var est = new UncertaintyEstimator(new UncertaintyEstimator.Options(0.95, mean, UncertaintyEstimator.SingleTool.CERTAIN, 5));
            for (PromptFormat f : List.of(PromptFormat.NATIVE, PromptFormat.JSON_LIST)) {
                List<Message> prompt = f.messages(conversation, tools, List.of());
                List<ToolSpec> templateTools = f.templateTools(tools);
                List<UncertaintyEstimator.NameScore> scored = est.nameScores(model, f, prompt, templateTools, names);
                double[] want = new double[names.size()];
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    Rendered r = render(model, f, prompt, templateTools, name);
                    int[] expected = expectedNameIds(tok, r.text(), r.from(), r.to());
                    TokenLogprobs got = scored.get(i).tokens();
                    String where = f + " " + name + ": " + got.tokens();
                    assertEquals(name, scored.get(i).name());
                    assertArrayEquals(expected, got.ids(), where);
                    assertEquals(mergedToken, tok.decode(new int[] {expected[expected.length - 1]}), where);
                    assertEquals(mergedToken, got.tokens().getLast(), where);
                    // the old scored prefix (name + lone quote) ends in a token the model does not write here
                    int[] oldPrefix = tok.encode(r.text().substring(0, r.to()));
                    assertEquals("\"", tok.decode(new int[] {oldPrefix[oldPrefix.length - 1]}), where);

                    // The score: those tokens' log-probabilities when the whole rendering is scored.
                    int[] all = tok.encode(r.text());
                    int at = indexOf(all, expected);
                    TokenLogprobs whole = model.score(prompt, templateTools, List.of(r.text())).getFirst();
                    double sum = 0;
                    for (int k = at; k < at + expected.length; k++) sum += whole.logprobs()[k];
                    want[i] = mean ? sum / expected.length : sum;
                    assertEquals(want[i], scored.get(i).score(), 1e-5, where);
                }
                Uncertainty u = est.estimate(model, f, prompt, tools, 1);
                assertEquals(names, u.candidates());
                for (int i = 0; i < names.size(); i++) assertEquals(want[i], u.scores()[i], 1e-5, f + " " + names.get(i));
            }
        }
    }

    /** Where the name's tokens start in the rendering's tokens (they are a contiguous run of them). */
    static int indexOf(int[] all, int[] part) {
        for (int i = 0; i + part.length <= all.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(all, i, i + part.length), part)) return i;
        }
        throw new AssertionError("the name's tokens are not in the rendering");
    }

    /** The real Qwen2.5 tokenizer and chat template (from shared/), which write {@code ",} as one token. */
    @Test
    void qwenScoresTheMergedClosingQuote(@TempDir Path dir) throws Exception {
        try (EmbeddedModel model = TinyModel.create(dir)) {
            assertEquals(1, model.tokenizer().encode("\",").length, "Qwen2.5 writes \", as one token");
            check(model, List.of("get_weather", "book_flight", "search"), "\",");
        }
    }

    /**
     * A tiny byte-level BPE written here (no shared/ needed) with a merge {@code " ,} -> {@code ",}, a merge
     * {@code " _} -> {@code "_} (a name whose first token also holds the opening quote) and a Qwen-like template.
     */
    @Test
    void tinyTokenizerScoresTheMergedClosingQuote(@TempDir Path dir) throws Exception {
        try (EmbeddedModel model = tinyModel(dir)) {
            Tokenizer tok = model.tokenizer();
            assertEquals(1, tok.encode("\",").length);
            check(model, List.of("get_weather", "_echo", "book"), "\",");
            // "_echo": its first scored token is the merged "_ (it covers the opening quote too)
            var est = new UncertaintyEstimator(UncertaintyEstimator.Options.defaults());
            List<ToolSpec> tools = List.of(UncertaintyTest.tool("get_weather"), UncertaintyTest.tool("_echo"));
            List<Message> prompt = List.of(Message.user("Echo this"));
            for (PromptFormat f : List.of(PromptFormat.NATIVE, PromptFormat.JSON_LIST)) {
                var s = est.nameScores(model, f, f.messages(prompt, tools, List.of()), f.templateTools(tools), List.of("get_weather", "_echo"));
                assertEquals(List.of("\"_", "e", "c", "h", "o", "\","), s.get(1).tokens().tokens(), f.name());
                assertEquals(List.of("get", "_", "we", "a", "t", "h", "e", "r", "\","), s.get(0).tokens().tokens(), f.name());
            }
        }
    }

    /** A one-layer random Qwen2 over a 256-byte BPE with a few merges and a Qwen-like tool-call template. */
    static EmbeddedModel tinyModel(Path dir) throws Exception {
        RandomCheckpoint.writeByteLevel(dir, List.of("\" ,", "\" _", "g e", "ge t", "w e"), """
                {%- for message in messages %}
                {%- if message.role == "assistant" and message.tool_calls %}
                {{- '<|im_start|>assistant' }}
                {%- for tool_call in message.tool_calls %}
                {%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
                {{- '\\n<tool_call>\\n{"name": "' + tool_call.name + '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}
                {%- endfor %}
                {{- '<|im_end|>\\n' }}
                {%- else %}
                {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}
                {%- endif %}
                {%- endfor %}
                {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
                """, 7);
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults());
    }
}
