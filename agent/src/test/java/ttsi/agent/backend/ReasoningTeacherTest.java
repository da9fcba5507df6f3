package ttsi.agent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.agent.backend.OpenAiModelTest.ENV;
import static ttsi.agent.backend.OpenAiModelTest.weatherTool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ttsi.agent.backend.OpenAiModelTest.Reply;
import ttsi.agent.backend.OpenAiModelTest.Request;
import ttsi.agent.backend.OpenAiModelTest.Stub;
import ttsi.agent.json.Json;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;

/**
 * The OpenAI-compatible client against a scripted server that behaves like a reasoning model (GPT-5 family,
 * o-series): it refuses {@code max_tokens}, {@code temperature} and {@code top_p} with OpenAI's 400 error objects,
 * spends reasoning tokens out of the completion cap and reports them in
 * {@code usage.completion_tokens_details.reasoning_tokens}, and returns "length" with empty content when the cap
 * leaves no room for the answer.
 */
@Timeout(30)
class ReasoningTeacherTest {
    static final String REASONING_MODEL = "gpt-5-mini", PLAIN_MODEL = "plain-model";

    /** WARNINGs from OpenAiModel's logger during a test. */
    final List<LogRecord> warnings = Collections.synchronizedList(new ArrayList<>());
    final Logger log = Logger.getLogger(OpenAiModel.class.getName());
    final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        log.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        log.removeHandler(handler);
        OpenAiModel.forgetRefusals();
    }

    List<String> warningTexts() {
        synchronized (warnings) {
            return warnings.stream().map(r -> r.getMessage()).toList();
        }
    }

    // ---- the scripted server ----

    static ObjectNode error(String message, String param, String code) {
        ObjectNode r = Json.object();
        ObjectNode e = r.putObject("error");
        e.put("message", message);
        e.put("type", "invalid_request_error");
        if (param == null) e.putNull("param");
        else e.put("param", param);
        if (code == null) e.putNull("code");
        else e.put("code", code);
        return r;
    }

    static Reply unsupportedValue(String param, JsonNode value) {
        return Reply.json(400, error("Unsupported value: '" + param + "' does not support " + value.asText()
                + " with this model. Only the default (1) value is supported.", param, "unsupported_value"));
    }

    /**
     * A reasoning model: thinks {@code reasoning} tokens, then answers {@code answer} in {@code answerTokens}
     * tokens, within max_completion_tokens; {@code reasoningText}, when not null, comes back as the message's
     * {@code reasoning_content} (as vLLM's reasoning parsers return it). Model {@value #PLAIN_MODEL} is an ordinary
     * model at the same server that takes every parameter; any other model name does not exist.
     */
    static Reply reasoningModel(Request r, int reasoning, String answer, int answerTokens, String reasoningText) {
        JsonNode b = r.body();
        if (!r.path().equals("/v1/chat/completions")) return Reply.json(404, error("no route " + r.path(), null, null));
        String model = b.path("model").asText();
        boolean plain = model.equals(PLAIN_MODEL);
        if (!plain && !model.equals(REASONING_MODEL)) {
            return Reply.json(400, error("The model '" + model + "' does not exist or you do not have access to it.", "model",
                    "model_not_found"));
        }
        if (!plain) {
            if (b.has("max_tokens")) {
                return Reply.json(400, error("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                        + "'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter"));
            }
            for (String p : new String[] {"temperature", "top_p"}) if (b.has(p)) return unsupportedValue(p, b.get(p));
        }
        int cap = b.has("max_completion_tokens") ? b.get("max_completion_tokens").asInt()
                : b.has("max_tokens") ? b.get("max_tokens").asInt() : 100_000;
        int thought = plain ? 0 : reasoning;
        boolean fits = thought + answerTokens <= cap;
        ObjectNode resp = Json.object();
        resp.put("id", "chatcmpl-r");
        resp.put("object", "chat.completion");
        resp.put("model", model);
        ObjectNode choice = resp.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", "assistant");
        msg.put("content", fits ? answer : "");
        if (reasoningText != null && !plain) msg.put("reasoning_content", reasoningText);
        choice.put("finish_reason", fits ? "stop" : "length");
        ObjectNode usage = resp.putObject("usage");
        int completion = fits ? thought + answerTokens : cap;
        usage.put("prompt_tokens", 57);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", 57 + completion);
        ObjectNode details = usage.putObject("completion_tokens_details");
        details.put("reasoning_tokens", Math.min(thought, cap));
        details.put("accepted_prediction_tokens", 0);
        details.put("rejected_prediction_tokens", 0);
        usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
        return Reply.json(200, resp);
    }

    static OpenAiModel.Config config(Stub stub, String model) {
        return new OpenAiModel.Config(stub.base("/v1"), model, "MY_TEST_KEY", Duration.ofSeconds(5), 2, Duration.ofMillis(1), null);
    }

    static final GenerationOptions SAMPLED = new GenerationOptions(512, 0.7, 0.95, 0, 7, List.of());
    static final List<Message> HELLO = List.of(Message.user("What's the weather in Paris?"));

    // ---- refusals ----

    @Test
    void refusedParametersAreDroppedOnceAndRememberedPerEndpoint() throws Exception {
        try (Stub stub = new Stub((r, i) -> reasoningModel(r, 300, "Sunny in Paris.", 20, null));
                OpenAiModel m = new OpenAiModel(config(stub, REASONING_MODEL).withReasoning(1024, null), ENV::get)) {
            Completion c = m.generate(HELLO, List.of(), SAMPLED);
            assertEquals("Sunny in Paris.", c.text());
            assertEquals("stop", c.finishReason());
            assertEquals(320, c.completionTokens(), "reasoning counts as completion tokens");

            // max_tokens, then temperature, then top_p refused; one parameter dropped per retry.
            assertEquals(4, stub.count());
            JsonNode first = stub.request(0).body();
            assertEquals(1536, first.get("max_tokens").asInt(), "512 for the answer + 1024 for reasoning");
            assertEquals(0.7, first.get("temperature").asDouble());
            assertEquals(0.95, first.get("top_p").asDouble());
            JsonNode second = stub.request(1).body();
            assertFalse(second.has("max_tokens"));
            assertEquals(1536, second.get("max_completion_tokens").asInt());
            assertTrue(second.has("temperature"));
            JsonNode third = stub.request(2).body();
            assertFalse(third.has("temperature"));
            assertTrue(third.has("top_p"));
            JsonNode last = stub.request(3).body();
            for (String p : new String[] {"max_tokens", "temperature", "top_p"}) assertFalse(last.has(p), p + " in " + last);
            assertEquals(1536, last.get("max_completion_tokens").asInt());
            assertEquals(7, last.get("seed").asLong(), "what was not refused is still sent");
            assertEquals(first.get("messages"), last.get("messages"), "the same request otherwise");

            OpenAiModel.Exchange x = m.lastExchange();
            assertEquals(3, x.refusals());
            assertEquals(List.of("max_tokens", "temperature", "top_p"), x.omitted());
            assertEquals(300, x.reasoningTokens(), "usage.completion_tokens_details.reasoning_tokens is read");
            assertEquals(20, x.answerTokens());
            assertEquals(1024, x.reasoningBudget());
            assertEquals(1536, x.sent().get("max_completion_tokens").asInt());
            assertFalse(x.sent().has("messages"));
            assertEquals(REASONING_MODEL, x.sent().get("model").asText());
            assertEquals(300, x.usage().get("completion_tokens_details").get("reasoning_tokens").asInt());
            assertFalse(x.starved());
            assertEquals(List.of("max_tokens", "temperature", "top_p"), m.refusedParameters());

            // Later requests leave them out up front.
            assertEquals("Sunny in Paris.", m.generate(HELLO, List.of(), SAMPLED).text());
            assertEquals(5, stub.count(), "no refusal the second time");
            JsonNode again = stub.request(4).body();
            for (String p : new String[] {"max_tokens", "temperature", "top_p"}) assertFalse(again.has(p), p + " in " + again);
            assertEquals(1536, again.get("max_completion_tokens").asInt());
            assertEquals(0, m.lastExchange().refusals());
            assertEquals(List.of("max_tokens", "temperature", "top_p"), m.lastExchange().omitted());

            // ... from any instance for the same endpoint (the base URL spelled differently, same API root) ...
            OpenAiModel.Config sameEndpoint = new OpenAiModel.Config(stub.base(""), REASONING_MODEL, "MY_TEST_KEY", null, 0, null, null);
            try (OpenAiModel other = new OpenAiModel(sameEndpoint, ENV::get)) {
                other.generate(HELLO, List.of(), SAMPLED);
                assertEquals(6, stub.count());
                assertFalse(stub.request(5).body().has("temperature"));
                assertEquals(512, stub.request(5).body().get("max_completion_tokens").asInt(), "no reasoning budget in this config");
            }
            // ... but not for another model at the same server.
            try (OpenAiModel plain = new OpenAiModel(config(stub, PLAIN_MODEL), ENV::get)) {
                assertEquals("Sunny in Paris.", plain.generate(HELLO, List.of(), SAMPLED).text());
                JsonNode p = stub.request(6).body();
                assertEquals(0.7, p.get("temperature").asDouble());
                assertEquals(0.95, p.get("top_p").asDouble());
                assertEquals(512, p.get("max_tokens").asInt());
                assertEquals(List.of(), plain.refusedParameters());
                assertEquals(0, plain.lastExchange().reasoningTokens(), "the plain model reports 0 reasoning tokens");
            }

            // Each refusal is logged once, whatever came after.
            List<String> w = warningTexts();
            assertEquals(3, w.size(), w.toString());
            assertTrue(w.get(0).contains("'max_tokens'") && w.get(0).contains("sends it as 'max_completion_tokens'"), w.get(0));
            assertTrue(w.get(1).contains("'temperature'") && w.get(1).contains("unsupported_value") && w.get(1).contains("leaves it out"),
                    w.get(1));
            assertTrue(w.get(2).contains("'top_p'"), w.get(2));
            for (String s : w) {
                assertTrue(s.startsWith(REASONING_MODEL + "@http://127.0.0.1:"), s);
                assertFalse(s.contains("sk-test-secret-123"), s);
            }
        }
    }

    @Test
    void unrelatedBadRequestsStillFailWithAClearMessage() throws Exception {
        try (Stub stub = new Stub((r, i) -> reasoningModel(r, 300, "ok", 5, null));
                OpenAiModel m = new OpenAiModel(config(stub, "gpt-5-nope"), ENV::get)) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> m.generate(HELLO, List.of(), SAMPLED));
            assertEquals(1, stub.count(), "a bad model name is not a refused parameter");
            assertEquals(400, e.status());
            assertEquals("model_not_found", e.errorCode());
            assertEquals("model", e.errorParam());
            assertTrue(e.getMessage().contains("HTTP 400 (invalid_request_error, code model_not_found): The model 'gpt-5-nope' does not exist"),
                    e.getMessage());
            assertEquals(List.of(), m.refusedParameters());
        }
        // A value out of range is the caller's error, not a refused parameter.
        try (Stub stub = new Stub((r, i) -> Reply.json(400, error("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, "
                + "but got 3 instead.", "temperature", "invalid_value")));
                OpenAiModel m = new OpenAiModel(config(stub, REASONING_MODEL), ENV::get)) {
            OpenAiException e = assertThrows(OpenAiException.class,
                    () -> m.generate(HELLO, List.of(), SAMPLED.withTemperature(3)));
            assertEquals(1, stub.count());
            assertEquals("temperature", e.errorParam());
            assertTrue(e.getMessage().contains("Invalid 'temperature'"), e.getMessage());
            assertEquals(List.of(), m.refusedParameters());
        }
        assertEquals(List.of(), warningTexts());
    }

    @Test
    void neverLoops() throws Exception {
        // A server that keeps refusing top_p after it is gone: dropped once, then the error stands.
        try (Stub stub = new Stub((r, i) -> unsupportedValue("top_p", Json.NODES.numberNode(0.95)));
                OpenAiModel m = new OpenAiModel(config(stub, REASONING_MODEL), ENV::get)) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> m.generate(HELLO, List.of(), SAMPLED));
            assertEquals(2, stub.count());
            assertTrue(stub.request(0).body().has("top_p"));
            assertFalse(stub.request(1).body().has("top_p"));
            assertEquals("unsupported_value", e.errorCode());
            assertTrue(e.getMessage().contains("'top_p'"), e.getMessage());
        }
        // Both names of the cap refused: sent once under each, then the error stands (never without a cap).
        try (Stub stub = new Stub((r, i) -> {
            String p = r.body().has("max_tokens") ? "max_tokens" : "max_completion_tokens";
            return Reply.json(400, error("Unsupported parameter: '" + p + "' is not supported with this model.", p, "unsupported_parameter"));
        }); OpenAiModel m = new OpenAiModel(config(stub, REASONING_MODEL), ENV::get)) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> m.generate(HELLO, List.of(), SAMPLED));
            assertEquals(2, stub.count());
            assertEquals(512, stub.request(1).body().get("max_completion_tokens").asInt());
            assertEquals("max_completion_tokens", e.errorParam());
            assertThrows(OpenAiException.class, () -> m.generate(HELLO, List.of(), SAMPLED));
            assertEquals(3, stub.count(), "the second call starts from what was learned and fails at once");
        }
        // The model, messages or tools are never dropped, whatever the error says.
        try (Stub stub = new Stub((r, i) -> Reply.json(400, error("Unsupported parameter: 'tools' is not supported with this model.", "tools",
                "unsupported_parameter")));
                OpenAiModel m = new OpenAiModel(config(stub, REASONING_MODEL), ENV::get)) {
            assertThrows(OpenAiException.class, () -> m.generate(HELLO, List.of(weatherTool()), SAMPLED));
            assertEquals(1, stub.count());
        }
    }

    @Test
    void refusalsNamedOnlyInTheMessage() throws Exception {
        // Servers that leave param (and code) out: the message says which parameter.
        try (Stub stub = new Stub((r, i) -> {
            JsonNode b = r.body();
            if (b.has("top_k")) return Reply.json(400, error("Unrecognized request argument supplied: top_k", null, null));
            if (b.has("stop")) return Reply.json(400, "{\"error\": \"'stop' is not supported with this model.\"}");
            if (b.has("max_tokens")) return Reply.json(400, "{\"detail\": \"max_tokens is deprecated; use max_completion_tokens\"}");
            return Reply.json(200, OpenAiModelTest.chatReply("done", "stop", 3, 2));
        }); OpenAiModel m = new OpenAiModel(config(stub, "some-model"), ENV::get)) {
            Completion c = m.generate(HELLO, List.of(), new GenerationOptions(64, 0.2, 1, 40, 1, List.of("</s>")));
            assertEquals("done", c.text());
            assertEquals(4, stub.count());
            assertEquals(List.of("max_tokens", "stop", "top_k"), m.refusedParameters());
            JsonNode sent = stub.request(3).body();
            assertEquals(64, sent.get("max_completion_tokens").asInt());
            assertEquals(0.2, sent.get("temperature").asDouble());
            assertEquals(-1, m.lastExchange().reasoningTokens(), "no reasoning reported");
            assertNull(m.lastExchange().reasoning());
        }
    }

    // ---- the reasoning budget ----

    @Test
    void theReasoningBudgetKeepsRoomForTheAnswer() throws Exception {
        try (Stub stub = new Stub((r, i) -> reasoningModel(r, 300, "Sunny in Paris.", 40, null));
                OpenAiModel tight = new OpenAiModel(config(stub, REASONING_MODEL), ENV::get)) {
            GenerationOptions o = new GenerationOptions(256, 0.7, 0.95, 0, 7, List.of());
            Completion c = tight.generate(HELLO, List.of(), o);
            assertEquals("length", c.finishReason());
            assertEquals("", c.text(), "reasoning took the whole cap");
            OpenAiModel.Exchange x = tight.lastExchange();
            assertTrue(x.starved());
            assertEquals(256, x.reasoningTokens());
            assertEquals(0, x.answerTokens());
            assertEquals(256, x.sent().get("max_completion_tokens").asInt());
            tight.generate(HELLO, List.of(), o);
            List<String> starved = warningTexts().stream().filter(s -> s.contains("cut off before it began")).toList();
            assertEquals(1, starved.size(), "warned once per endpoint: " + warningTexts());
            assertTrue(starved.getFirst().contains("256 of them reasoning") && starved.getFirst().contains("TTSI_TEACHER_REASONING_TOKENS"),
                    starved.getFirst());

            int before = stub.count();
            try (OpenAiModel roomy = new OpenAiModel(config(stub, REASONING_MODEL).withReasoning(512, "low"), ENV::get)) {
                Completion d = roomy.generate(HELLO, List.of(), o);
                assertEquals("Sunny in Paris.", d.text());
                assertEquals("stop", d.finishReason());
                assertEquals(before + 1, stub.count(), "the endpoint's refusals were already known");
                JsonNode sent = stub.request(before).body();
                assertEquals(768, sent.get("max_completion_tokens").asInt(), "256 for the answer + 512 for reasoning");
                assertEquals("low", sent.get("reasoning_effort").asText());
                OpenAiModel.Exchange y = roomy.lastExchange();
                assertEquals(300, y.reasoningTokens());
                assertEquals(40, y.answerTokens());
                assertFalse(y.starved());
                ObjectNode j = y.toJson();
                assertEquals(300, j.get("reasoning_tokens").asInt());
                assertEquals(512, j.get("reasoning_budget").asInt());
                assertEquals(256, j.get("requested").get("max_tokens").asInt());
                assertEquals(0.7, j.get("requested").get("temperature").asDouble());
                assertEquals(768, j.get("sent").get("max_completion_tokens").asInt());
                assertEquals("low", j.get("sent").get("reasoning_effort").asText());
                assertEquals(Json.parse("[\"max_tokens\", \"temperature\", \"top_p\"]"), j.get("omitted"));
                assertEquals("stop", j.get("finish_reason").asText());
                assertFalse(j.get("starved").asBoolean());
                assertFalse(j.has("reasoning"), "OpenAI returns no reasoning text");
            }
        }
    }

    @Test
    void reasoningTextAndARefusedReasoningEffort() throws Exception {
        String thinking = "The user wants the weather in Paris. I should call get_weather.";
        try (Stub stub = new Stub((r, i) -> {
            JsonNode b = r.body();
            if (b.path("model").asText().equals(PLAIN_MODEL) && b.has("reasoning_effort")) {
                return Reply.json(400, error("Unsupported parameter: 'reasoning_effort' is not supported with this model.",
                        "reasoning_effort", "unsupported_parameter"));
            }
            if (b.path("model").asText().equals("vllm-new")) { // vLLM >= 0.11 names it "reasoning", without usage details
                ObjectNode reply = OpenAiModelTest.chatReply("ok", "stop", 10, 30);
                ((ObjectNode) reply.get("choices").get(0).get("message")).put("reasoning", "short thought");
                return Reply.json(200, reply);
            }
            return reasoningModel(r, 300, "ok", 5, thinking);
        })) {
            try (OpenAiModel m = new OpenAiModel(config(stub, REASONING_MODEL).withReasoning(400, "high"), ENV::get)) {
                m.generate(HELLO, List.of(), SAMPLED);
                OpenAiModel.Exchange x = m.lastExchange();
                assertEquals(thinking, x.reasoning(), "reasoning_content is read");
                assertEquals("high", x.sent().get("reasoning_effort").asText());
                assertEquals(thinking, x.toJson().get("reasoning").asText());
                assertEquals("The user...", x.toJson(8).get("reasoning").asText());
                assertFalse(x.toJson(0).has("reasoning"));
            }
            try (OpenAiModel m = new OpenAiModel(config(stub, "vllm-new"), ENV::get)) {
                m.generate(HELLO, List.of(), SAMPLED);
                assertEquals("short thought", m.lastExchange().reasoning());
                assertEquals(-1, m.lastExchange().reasoningTokens());
                assertTrue(m.lastExchange().toJson().get("reasoning_tokens").isNull());
            }
            // A model that takes no reasoning_effort: dropped and remembered like any refused parameter.
            try (OpenAiModel m = new OpenAiModel(config(stub, PLAIN_MODEL).withReasoning(0, "medium"), ENV::get)) {
                m.generate(HELLO, List.of(), SAMPLED);
                m.generate(HELLO, List.of(), SAMPLED);
                assertEquals(List.of("reasoning_effort"), m.refusedParameters());
                assertEquals(List.of("reasoning_effort"), m.lastExchange().omitted());
                int n = stub.count();
                assertFalse(stub.request(n - 1).body().has("reasoning_effort"));
                assertTrue(stub.request(n - 1).body().has("temperature"), "only what was refused is left out");
            }
        }
    }

    // ---- TT-D ----

    static final String PAIRS = """
            [{"query": "What will the weather be in Lyon over the next 5 days?",
              "answer": [{"name": "get_weather", "arguments": {"city": "Lyon", "days": 5}}]},
             {"query": "Is it going to rain in Kyoto tomorrow?",
              "answer": [{"name": "get_weather", "arguments": {"city": "Kyoto", "days": 1}}]}]""";

    @Test
    void dataSynthesizerWithAReasoningTeacher() throws Exception {
        DataSynthesizer g = new DataSynthesizer(new DataSynthesizer.Options(2, 3, new GenerationOptions(512, 0.7, 0.95, 0, 0, List.of())));
        List<Message> seed = List.of(Message.user("What's the weather in Paris for 3 days?"));
        try (Stub stub = new Stub((r, i) -> reasoningModel(r, 700, PAIRS, 90, "Two new cities, same tool."))) {
            // Without a budget, 700 reasoning tokens leave nothing of 512 for the answer: every attempt is empty.
            try (OpenAiModel starved = new OpenAiModel(config(stub, REASONING_MODEL), ENV::get);
                    OpenAiModel.Recording rec = starved.record()) {
                DataSynthesizer.Result res = g.synthesize(starved, seed, List.of(weatherTool()), 11);
                assertEquals(0, res.pairs().size());
                assertEquals(3, res.attempts());
                assertTrue(res.rejections().stream().allMatch(s -> s.contains("no JSON list")), res.rejections().toString());
                assertEquals(3, rec.exchanges().size());
                assertTrue(rec.exchanges().stream().allMatch(OpenAiModel.Exchange::starved));
                assertEquals(512, rec.exchanges().getFirst().reasoningTokens());
            }
            // With a reasoning budget the teacher writes valid pairs, after one round of refusals at most.
            try (OpenAiModel teacher = new OpenAiModel(config(stub, REASONING_MODEL).withReasoning(1024, "low"), ENV::get)) {
                DataSynthesizer.Result res;
                List<OpenAiModel.Exchange> exchanges;
                OpenAiModel.Recording rec = teacher.record();
                try (rec) {
                    res = g.synthesize(teacher, seed, List.of(weatherTool()), 11);
                    exchanges = rec.exchanges();
                    assertEquals(1, rec.toJson(-1).size());
                }
                assertEquals(2, res.pairs().size(), "rejections: " + res.rejections());
                assertEquals(1, res.attempts());
                assertEquals("What will the weather be in Lyon over the next 5 days?", res.pairs().get(0).query());
                assertEquals(List.of(ToolCall.of("get_weather", Map.of("city", "Lyon", "days", 5))), res.pairs().get(0).calls());
                assertEquals(List.of(ToolCall.of("get_weather", Map.of("city", "Kyoto", "days", 1))), res.pairs().get(1).calls());

                assertEquals(1, exchanges.size(), "one exchange per synthesis attempt");
                OpenAiModel.Exchange x = exchanges.getFirst();
                assertEquals(res.raw().getFirst(), x.text());
                assertEquals(700, x.reasoningTokens());
                assertEquals(90, x.answerTokens());
                assertEquals("Two new cities, same tool.", x.reasoning());
                assertEquals(1536, x.sent().get("max_completion_tokens").asInt());
                assertFalse(x.sent().has("temperature"));
                assertEquals(11 * 1_000_003L, x.sent().get("seed").asLong());
                assertEquals(0.7, x.requested().temperature());
                assertEquals(0, x.refusals(), "the endpoint's refusals were learned by the first teacher");

                // Outside the recording nothing more is collected.
                teacher.generate(HELLO, List.of(), SAMPLED);
                assertEquals(1, rec.exchanges().size());
                assertEquals("Two new cities, same tool.", teacher.lastExchange().reasoning(), "the last exchange is still kept");
            }
        }
    }

    // ---- configuration ----

    @Test
    void reasoningConfiguration() {
        URI u = URI.create("http://127.0.0.1:1/v1");
        OpenAiModel.Config old = new OpenAiModel.Config(u, "m", null, null, 1, null, null);
        assertEquals(0, old.reasoningTokens());
        assertNull(old.reasoningEffort());
        OpenAiModel.Config r = old.withReasoning(2048, " medium ");
        assertEquals(2048, r.reasoningTokens());
        assertEquals("medium", r.reasoningEffort());
        OpenAiModel.Config kept = r.withTimeout(Duration.ofSeconds(9)).withRetries(0, Duration.ZERO).withApiKeyEnv("K").withTemplateDir(null);
        assertEquals(2048, kept.reasoningTokens());
        assertEquals("medium", kept.reasoningEffort());
        assertNull(old.withReasoning(0, " ").reasoningEffort());
        assertThrows(IllegalArgumentException.class, () -> old.withReasoning(-1, null));

        OpenAiModel.Config env = OpenAiModel.Config.fromEnvironment(null, null, Map.of("TTSI_TEACHER_URL", "http://127.0.0.1:9/v1",
                "TTSI_TEACHER_MODEL", "gpt-5-mini", "TTSI_TEACHER_REASONING_TOKENS", " 4096 ", "TTSI_TEACHER_REASONING_EFFORT", "low")::get);
        assertEquals(4096, env.reasoningTokens());
        assertEquals("low", env.reasoningEffort());
        OpenAiModel.Config none = OpenAiModel.Config.fromEnvironment("http://127.0.0.1:9", "m", k -> null);
        assertEquals(0, none.reasoningTokens());
        assertNull(none.reasoningEffort());
        for (String bad : new String[] {"lots", "-5", "1.5"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> OpenAiModel.Config.fromEnvironment("http://127.0.0.1:9", "m",
                    Map.of("TTSI_TEACHER_REASONING_TOKENS", bad)::get));
            assertTrue(e.getMessage().contains("TTSI_TEACHER_REASONING_TOKENS") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}
