package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import java.net.URI;
import java.time.Duration;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.json.Json;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.method.Uncertainty;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.agent.model.GenerationOptions;

/** The endpoints over real HTTP on loopback, on the tiny random model. */
@Timeout(120)
class ServerTest {
    @TempDir
    static Path dir;
    static EmbeddedModel model;
    static TtsiServer server;
    static String base;

    static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
              "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}},
             {"type": "function", "function": {"name": "get_time", "description": "Local time of a city",
              "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]""";

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.tiny(dir.resolve("tiny"));
        server = new TtsiServer(ServeOptions.defaults(0, "tiny").withDefaultMaxTokens(24).withTtsi(TtsiMode.OFF, 0.95).withSynthesis(1, 2, 24, 0.7)
                .withAccess(new Access(null, true, TtsiMode.FORCE)), model, null).start(); // off unless a client asks
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (model != null) model.close();
    }

    static String chat(String extra) {
        return "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello there\"}], \"temperature\": 0, \"max_tokens\": 12" + extra + "}";
    }

    @Test
    void healthModelsAndMetrics() throws Exception {
        var h = Http.get(base + "/health");
        assertEquals(200, h.status());
        assertEquals("ok", h.json().get("status").asText());
        var m = Http.get(base + "/v1/models");
        assertEquals("tiny", m.json().get("data").get(0).get("id").asText());
        assertEquals(200, Http.get(base + "/v1/models/tiny").status());
        assertEquals(404, Http.get(base + "/v1/models/other").status());
        Http.post(base + "/v1/chat/completions", chat(""));
        var metrics = Http.get(base + "/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        assertTrue(metrics.body().contains("ttsi_requests_total{endpoint=\"chat\",status=\"200\"}"), metrics.body());
        assertTrue(metrics.body().contains("ttsi_stage_duration_seconds_bucket{stage=\"answer\",le=\"+Inf\"}"));
        assertTrue(metrics.body().contains("ttsi_tokens_total{kind=\"completion\"}"));
        assertTrue(metrics.body().contains("# TYPE ttsi_request_duration_seconds histogram"));
    }

    @Test
    void chatWholeAndStreamedAgree() throws Exception {
        var whole = Http.post(base + "/v1/chat/completions", chat(", \"logprobs\": true, \"top_logprobs\": 3"));
        assertEquals(200, whole.status(), whole.body());
        JsonNode w = whole.json();
        assertEquals("chat.completion", w.get("object").asText());
        JsonNode choice = w.get("choices").get(0);
        String content = choice.get("message").get("content").asText();
        assertEquals("length", choice.get("finish_reason").asText());
        assertEquals(12, w.get("usage").get("completion_tokens").asInt());
        assertTrue(w.get("usage").get("prompt_tokens").asInt() > 5);
        JsonNode lps = choice.get("logprobs").get("content");
        assertEquals(12, lps.size());
        for (JsonNode t : lps) {
            assertTrue(t.get("logprob").asDouble() <= 0);
            assertEquals(3, t.get("top_logprobs").size());
            // greedy: the chosen token is the most likely one
            assertEquals(t.get("top_logprobs").get(0).get("logprob").asDouble(), t.get("logprob").asDouble(), 1e-9);
        }

        var streamed = Http.post(base + "/v1/chat/completions", chat(", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        assertEquals(200, streamed.status());
        assertTrue(streamed.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> events = streamed.events();
        assertEquals("[DONE]", events.getLast());
        StringBuilder sb = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode c = Json.parse(e);
            assertEquals("chat.completion.chunk", c.get("object").asText());
            if (c.get("choices").isEmpty()) {
                usage = c.get("usage");
                continue;
            }
            JsonNode d = c.get("choices").get(0).get("delta");
            if (d.has("content")) sb.append(d.get("content").asText());
            if (!c.get("choices").get(0).get("finish_reason").isNull()) finish = c.get("choices").get(0).get("finish_reason").asText();
        }
        assertEquals(content, sb.toString());
        assertEquals("length", finish);
        assertNotNull(usage);
        assertEquals(12, usage.get("completion_tokens").asInt());
    }

    @Test
    void seededSamplingRepeats() throws Exception {
        String body = chat(", \"temperature\": 0.9, \"top_p\": 0.9, \"seed\": 42").replace("\"temperature\": 0, ", "");
        String a = Http.post(base + "/v1/chat/completions", body).json().get("choices").get(0).get("message").get("content").asText();
        String b = Http.post(base + "/v1/chat/completions", body).json().get("choices").get(0).get("message").get("content").asText();
        assertEquals(a, b);
    }

    @Test
    void toolsReportTtsiAndTheHeaderForcesIt() throws Exception {
        String body = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}], \"temperature\": 0, "
                + "\"max_tokens\": 8, \"tools\": " + TOOLS + "}";
        var off = Http.post(base + "/v1/chat/completions", body);
        assertEquals(200, off.status(), off.body());
        assertEquals("off", off.json().get("ttsi").get("mode").asText());
        assertFalse(off.json().get("ttsi").get("adapted").asBoolean());
        // auto via the header: the estimator runs and reports the margin it measured
        var auto = Http.post(base + "/v1/chat/completions", body, "X-TTSI", "auto");
        JsonNode t = auto.json().get("ttsi");
        assertEquals("auto", t.get("mode").asText());
        double margin = t.get("margin").asDouble();
        assertTrue(margin >= 0 && margin <= 1);
        assertEquals(2, t.get("probabilities").size());
        assertEquals(Double.toString(margin), auto.headers().firstValue("x-ttsi-margin").orElseThrow());
    }

    /** ttsi's own OpenAI-compatible backend scores through /v1/completions exactly as the embedded model scores locally. */
    @Test
    void openAiModelScoresThroughTheServer() throws Exception {
        var tools = ChatRequest.tools(Json.parse(TOOLS));
        var messages = List.of(ttsi.agent.tools.Message.user("Weather in Paris?"));
        try (OpenAiModel remote = new OpenAiModel(OpenAiModel.Config.of(URI.create(server.baseUrl()), "tiny").withTemplateDir(dir.resolve("tiny"))
                .withRetries(0, Duration.ZERO).withApiKeyEnv("TTSI_TEST_NO_KEY"))) {
            var estimator = new UncertaintyEstimator(UncertaintyEstimator.Options.defaults());
            Uncertainty viaHttp = estimator.estimate(remote.scoring().orElseThrow(), PromptFormat.NATIVE, messages, tools, 0);
            Uncertainty local = estimator.estimate(model, PromptFormat.NATIVE, messages, tools, 0);
            assertEquals(local.margin(), viaHttp.margin(), 1e-6);
            for (int i = 0; i < 2; i++) assertEquals(local.scores()[i], viaHttp.scores()[i], 1e-5);
            String viaServer = remote.generate(messages, List.of(), GenerationOptions.greedy(8)).text();
            assertEquals(model.generate(messages, List.of(), GenerationOptions.greedy(8)).text(), viaServer);
        }
    }

    /** TT-SI with the model as its own generator: the tiny random model writes no valid pair, so the base model answers. */
    @Test
    void forcedSelfImprovementWithoutUsableDataAnswersWithTheBaseModel() throws Exception {
        String body = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Weather in Rome?\"}], \"temperature\": 0, "
                + "\"max_tokens\": 6, \"tools\": " + TOOLS + "}";
        var plain = Http.post(base + "/v1/chat/completions", body);
        var forced = Http.post(base + "/v1/chat/completions", body.replace("\"temperature\"", "\"ttsi\": \"force\", \"temperature\""));
        JsonNode t = forced.json().get("ttsi");
        assertFalse(t.get("adapted").asBoolean(), t.toString());
        assertEquals("self", t.get("generator").asText());
        assertTrue(t.get("reason").asText().startsWith("no valid synthetic pair"), t.toString());
        assertTrue(t.get("seconds").has("synthesize"));
        assertEquals(plain.json().get("choices").get(0).get("message"), forced.json().get("choices").get(0).get("message"));
        assertTrue(server.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "no_data")) >= 1);
    }

    @Test
    void completionsEchoScoresThePrompt() throws Exception {
        String prompt = "<|im_start|>user\nHi ünïcödé 東京<|im_end|>\n<|im_start|>assistant\n";
        var r = Http.post(base + "/v1/completions", "{\"model\": \"tiny\", \"prompt\": " + Json.compact(Json.NODES.textNode(prompt))
                + ", \"echo\": true, \"logprobs\": 2, \"max_tokens\": 0}");
        assertEquals(200, r.status(), r.body());
        JsonNode c = r.json().get("choices").get(0);
        assertEquals(prompt, c.get("text").asText());
        JsonNode lp = c.get("logprobs");
        int n = lp.get("tokens").size();
        assertEquals(n, r.json().get("usage").get("prompt_tokens").asInt());
        assertTrue(lp.get("token_logprobs").get(0).isNull());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < n; i++) {
            assertEquals(joined.codePointCount(0, joined.length()), lp.get("text_offset").get(i).asInt());
            joined.append(lp.get("tokens").get(i).asText());
            if (i > 0) assertTrue(lp.get("token_logprobs").get(i).asDouble() < 0);
        }
        assertEquals(prompt, joined.toString());
        // the same numbers as the engine's own scorer
        int[] ids = model.tokenizer().encode(prompt);
        var direct = model.promptLogprobs(ids, 0);
        for (int i = 1; i < n; i++) assertEquals(direct.get(i).logprob(), lp.get("token_logprobs").get(i).asDouble(), 1e-6);
    }

    @Test
    void aRequiredOrNamedToolChoiceTheModelFailsIsAnErrorNotRawText() throws Exception {
        ScriptedModel chatty = new ScriptedModel((messages, tools) -> "I would rather not call anything.");
        try (TtsiServer s = new TtsiServer(ServeOptions.defaults(0, "chatty").withTtsi(TtsiMode.OFF, 0.95), chatty, null).start()) {
            for (String choice : new String[] {"\"required\"", "{\"type\": \"function\", \"function\": {\"name\": \"get_time\"}}"}) {
                Http.Reply r = Http.post(s.baseUrl() + "/chat/completions", "{\"model\": \"chatty\", \"messages\": [{\"role\": \"user\", "
                        + "\"content\": \"time in Oslo?\"}], \"tools\": " + TOOLS + ", \"tool_choice\": " + choice + "}");
                assertEquals(500, r.status(), r.body());
                JsonNode e = r.json().get("error");
                assertEquals("invalid_model_output", e.get("code").asText());
                assertTrue(e.get("message").asText().startsWith("The model produced invalid content"), r.body());
                assertTrue(!r.body().contains("rather not"), "no raw model text: " + r.body());
            }
            // With tool_choice auto the same text is an ordinary answer.
            Http.Reply ok = Http.post(s.baseUrl() + "/chat/completions", "{\"model\": \"chatty\", \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"time in Oslo?\"}], \"tools\": " + TOOLS + "}");
            assertEquals(200, ok.status());
        }
    }
}
