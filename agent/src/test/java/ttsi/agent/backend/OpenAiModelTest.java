package ttsi.agent.backend;

import ttsi.engine.format.SharedFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ttsi.agent.json.Json;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.ScoringModel;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.tokenizer.ChatTemplate;

/** The OpenAI-compatible backend over real HTTP against a stub server on 127.0.0.1. */
@Timeout(30)
class OpenAiModelTest {

    // ---- a stub OpenAI-compatible server ----

    record Request(String method, String path, Map<String, List<String>> headers, JsonNode body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue().getFirst();
            }
            return null;
        }
    }

    record Reply(int status, String body, Map<String, String> headers, long sleepMillis) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, Json.compact(body), Map.of(), 0);
        }

        static Reply json(int status, String body) {
            return new Reply(status, body, Map.of(), 0);
        }

        Reply withHeader(String k, String v) {
            return new Reply(status, body, Map.of(k, v), sleepMillis);
        }

        Reply after(long millis) {
            return new Reply(status, body, headers, millis);
        }
    }

    /** Answers each request with handler(request, index); records every request. */
    static final class Stub implements AutoCloseable {
        final HttpServer server;
        final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

        Stub(BiFunction<Request, Integer, Reply> handler) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.setExecutor(executor);
            server.createContext("/", ex -> {
                try (ex) {
                    byte[] in = ex.getRequestBody().readAllBytes();
                    JsonNode body = in.length == 0 ? null : Json.MAPPER.readTree(in);
                    Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body);
                    int index;
                    synchronized (requests) {
                        index = requests.size();
                        requests.add(r);
                    }
                    Reply reply = handler.apply(r, index);
                    if (reply.sleepMillis() > 0) Thread.sleep(reply.sleepMillis());
                    byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                    ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
                    if (out.length > 0) {
                        try (OutputStream os = ex.getResponseBody()) {
                            os.write(out);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }

        URI base(String suffix) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + suffix);
        }

        int count() {
            return requests.size();
        }

        Request request(int i) {
            return requests.get(i);
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    static final Map<String, String> ENV = Map.of("MY_TEST_KEY", "sk-test-secret-123");

    /** Refusals are remembered per endpoint for the process; a later stub may get the same port. */
    @AfterEach
    void forgetRefusals() {
        OpenAiModel.forgetRefusals();
    }

    static OpenAiModel model(Stub stub, OpenAiModel.Config c) {
        return new OpenAiModel(c, ENV::get);
    }

    static OpenAiModel.Config config(Stub stub, String suffix) {
        return new OpenAiModel.Config(stub.base(suffix), "test-model", "MY_TEST_KEY", Duration.ofSeconds(5), 3,
                Duration.ofMillis(1), null);
    }

    static ObjectNode chatReply(String content, String finish, int promptTokens, int completionTokens) {
        ObjectNode r = Json.object();
        r.put("id", "chatcmpl-1");
        r.put("object", "chat.completion");
        ObjectNode choice = r.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", "assistant");
        if (content == null) msg.putNull("content");
        else msg.put("content", content);
        choice.put("finish_reason", finish);
        ObjectNode usage = r.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return r;
    }

    static ObjectNode toolCallReply(String content, String... nameAndArgs) {
        ObjectNode r = chatReply(content, "tool_calls", 10, 5);
        ArrayNode calls = ((ObjectNode) r.get("choices").get(0).get("message")).putArray("tool_calls");
        for (int i = 0; i < nameAndArgs.length; i += 2) {
            ObjectNode c = calls.addObject();
            c.put("id", "call_x" + i);
            c.put("type", "function");
            c.putObject("function").put("name", nameAndArgs[i]).put("arguments", nameAndArgs[i + 1]);
        }
        return r;
    }

    static ObjectNode error(String message, String type, String code) {
        ObjectNode r = Json.object();
        ObjectNode e = r.putObject("error");
        e.put("message", message);
        e.put("type", type);
        if (code == null) e.putNull("code");
        else e.put("code", code);
        return r;
    }

    static ToolSpec weatherTool() {
        return ToolSpec.fromJson(Json.parse("""
                {"name": "get_weather", "description": "Weather forecast for a city",
                 "parameters": {"type": "object",
                   "properties": {"city": {"type": "string", "description": "city name"},
                                  "days": {"type": "integer", "description": "how many days"}},
                   "required": ["city"]}}"""));
    }

    static ToolSpec timeTool() {
        return ToolSpec.fromJson(Json.parse("""
                {"name": "get_time", "description": "Local time in a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}"""));
    }

    // ---- generation ----

    @Test
    void sendsTheRequestFieldsAndReadsContent() throws Exception {
        try (Stub stub = new Stub((r, i) -> Reply.json(200, chatReply("Hello there", "stop", 42, 3)));
                OpenAiModel m = model(stub, config(stub, "/v1"))) {
            List<Message> messages = List.of(
                    Message.system("You are helpful."),
                    Message.user("Weather in Paris for 3 days?"),
                    Message.assistantCalls("", List.of(ToolCall.of("get_weather", Map.of("city", "Paris", "days", 3)))),
                    Message.tool("{\"forecast\": \"sunny\"}"),
                    Message.user("Thanks!"));
            GenerationOptions o = new GenerationOptions(64, 0.3, 0.9, 0, 42, List.of("</s>", "\nUser:"));
            Completion c = m.generate(messages, List.of(weatherTool()), o);

            assertEquals("Hello there", c.text());
            assertEquals("stop", c.finishReason());
            assertEquals(42, c.promptTokens());
            assertEquals(3, c.completionTokens());
            assertTrue(c.seconds() >= 0);

            assertEquals(1, stub.count());
            Request r = stub.request(0);
            assertEquals("POST", r.method());
            assertEquals("/v1/chat/completions", r.path());
            assertEquals("Bearer sk-test-secret-123", r.header("Authorization"));
            assertTrue(r.header("Content-Type").startsWith("application/json"));
            JsonNode b = r.body();
            assertEquals("test-model", b.get("model").asText());
            assertEquals(64, b.get("max_tokens").asInt());
            assertEquals(0.3, b.get("temperature").asDouble());
            assertEquals(0.9, b.get("top_p").asDouble());
            assertEquals(42, b.get("seed").asLong());
            assertFalse(b.has("top_k"));
            assertEquals(Json.parse("[\"</s>\", \"\\nUser:\"]"), b.get("stop"));

            JsonNode ms = b.get("messages");
            assertEquals(5, ms.size());
            assertEquals("system", ms.get(0).get("role").asText());
            assertEquals("Weather in Paris for 3 days?", ms.get(1).get("content").asText());
            JsonNode call = ms.get(2).get("tool_calls").get(0);
            assertEquals("assistant", ms.get(2).get("role").asText());
            assertEquals("function", call.get("type").asText());
            String id = call.get("id").asText();
            assertFalse(id.isBlank());
            assertEquals("get_weather", call.get("function").get("name").asText());
            JsonNode args = call.get("function").get("arguments");
            assertTrue(args.isTextual(), "arguments must be a JSON string for OpenAI: " + args);
            assertEquals(Json.parse("{\"city\": \"Paris\", \"days\": 3}"), Json.parse(args.asText()));
            assertEquals("tool", ms.get(3).get("role").asText());
            assertEquals(id, ms.get(3).get("tool_call_id").asText());
            assertEquals("{\"forecast\": \"sunny\"}", ms.get(3).get("content").asText());
            assertFalse(ms.get(4).has("tool_call_id"));

            JsonNode tools = b.get("tools");
            assertEquals(1, tools.size());
            assertEquals("function", tools.get(0).get("type").asText());
            assertEquals("get_weather", tools.get(0).get("function").get("name").asText());
            assertEquals("integer", tools.get(0).get("function").get("parameters").get("properties").get("days").get("type").asText());
        }
    }

    @Test
    void baseUrlWithOrWithoutV1AndOptionalFields() throws Exception {
        try (Stub stub = new Stub((r, i) -> Reply.json(200, chatReply("ok", "length", 1, 1)))) {
            for (String suffix : new String[] {"", "/", "/v1", "/v1/"}) {
                OpenAiModel.Config c = new OpenAiModel.Config(stub.base(suffix), "m", "UNSET_KEY_VARIABLE", null, 0, null, null);
                try (OpenAiModel m = new OpenAiModel(c, ENV::get)) {
                    Completion done = m.generate(List.of(Message.user("hi")), List.of(), new GenerationOptions(8, 0, 1, 5, 0, List.of()));
                    assertEquals("length", done.finishReason());
                    assertTrue(m.id().startsWith("m@http://127.0.0.1:"), m.id());
                    assertTrue(m.scoring().isEmpty(), "no template, no scoring");
                }
                Request r = stub.request(stub.count() - 1);
                assertEquals("/v1/chat/completions", r.path(), "base " + suffix);
                assertNull(r.header("Authorization"), "no key, no header");
                assertFalse(r.body().has("tools"));
                assertFalse(r.body().has("stop"));
                assertEquals(5, r.body().get("top_k").asInt());
            }
        }
    }

    @Test
    void toolCallsBecomeParseableText() throws Exception {
        ObjectNode reply = toolCallReply(null, "get_weather", "{\"city\": \"Paris\", \"days\": 3}", "get_time", "{\"city\":\"Oslo\"}");
        try (Stub stub = new Stub((r, i) -> Reply.json(200, reply)); OpenAiModel m = model(stub, config(stub, ""))) {
            Completion c = m.generate(List.of(Message.user("Paris weather and Oslo time")), List.of(weatherTool(), timeTool()),
                    GenerationOptions.greedy(32));
            assertEquals("stop", c.finishReason(), "tool_calls counts as stop");
            assertEquals(Json.parse("[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}},"
                    + " {\"name\": \"get_time\", \"arguments\": {\"city\": \"Oslo\"}}]"), Json.parse(c.text()));
            var parsed = ToolCallParser.parse(c.text());
            assertTrue(parsed.ok(), parsed.error());
            assertEquals(List.of(ToolCall.of("get_weather", Map.of("city", "Paris", "days", 3)), ToolCall.of("get_time", Map.of("city", "Oslo"))),
                    parsed.calls());
        }
    }

    @Test
    void contentComesBeforeToolCallsAndBadArgumentsStayStrings() throws Exception {
        ObjectNode both = toolCallReply("Let me check.", "get_weather", "{\"city\": \"Rome\"}");
        ObjectNode bad = toolCallReply("", "get_weather", "city=Rome, oops");
        try (Stub stub = new Stub((r, i) -> Reply.json(200, i == 0 ? both : bad)); OpenAiModel m = model(stub, config(stub, ""))) {
            Completion c = m.generate(List.of(Message.user("Rome?")), List.of(weatherTool()), GenerationOptions.greedy(32));
            assertTrue(c.text().startsWith("Let me check.\n["), c.text());
            var parsed = ToolCallParser.parse(c.text());
            assertTrue(parsed.ok(), parsed.error());
            assertEquals(List.of(ToolCall.of("get_weather", Map.of("city", "Rome"))), parsed.calls());

            Completion d = m.generate(List.of(Message.user("Rome?")), List.of(weatherTool()), GenerationOptions.greedy(32));
            assertEquals("[{\"name\": \"get_weather\", \"arguments\": \"city=Rome, oops\"}]", d.text());
            assertFalse(ToolCallParser.parse(d.text()).ok(), "a non-JSON argument string is the model's error, reported by the parser");
        }
    }

    // ---- robustness ----

    @Test
    void retriesOn429HonouringRetryAfter() throws Exception {
        List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
        try (Stub stub = new Stub((r, i) -> i < 2
                ? Reply.json(429, error("Rate limit reached", "requests", "rate_limit_exceeded")).withHeader("Retry-After", "2")
                : Reply.json(200, chatReply("finally", "stop", 1, 1)))) {
            OpenAiModel m = new OpenAiModel(config(stub, ""), ENV::get, waits::add, 1);
            Completion c = m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8));
            assertEquals("finally", c.text());
            assertEquals(3, stub.count());
            assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2)), waits, "Retry-After seconds are honoured");
            m.close();
        }
    }

    @Test
    void retriesOn503ThenSucceedsWithRealBackoff() throws Exception {
        try (Stub stub = new Stub((r, i) -> i < 2
                ? Reply.json(503, "<html>Service Unavailable</html>")
                : Reply.json(200, chatReply("up again", "stop", 1, 1)));
                OpenAiModel m = model(stub, config(stub, "/v1"))) {
            long t0 = System.nanoTime();
            assertEquals("up again", m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)).text());
            assertEquals(3, stub.count());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        }
    }

    @Test
    void givesUpAfterMaxRetriesWithAClearMessage() throws Exception {
        List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
        try (Stub stub = new Stub((r, i) -> Reply.json(503, error("The engine is currently overloaded", "server_error", null)))) {
            OpenAiModel.Config c = config(stub, "/v1").withRetries(2, Duration.ofMillis(100));
            OpenAiModel m = new OpenAiModel(c, ENV::get, waits::add, 7);
            OpenAiException e = assertThrows(OpenAiException.class,
                    () -> m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)));
            assertEquals(3, stub.count(), "1 attempt + 2 retries");
            assertEquals(3, e.attempts());
            assertEquals(503, e.status());
            String msg = e.getMessage();
            assertTrue(msg.contains(stub.base("/v1/chat/completions").toString()), msg);
            assertTrue(msg.contains("HTTP 503"), msg);
            assertTrue(msg.contains("The engine is currently overloaded"), msg);
            assertTrue(msg.contains("server_error"), msg);
            assertTrue(msg.contains("3 attempts"), msg);
            // exponential back-off with at most 25% jitter
            assertEquals(2, waits.size());
            assertTrue(waits.get(0).toMillis() >= 100 && waits.get(0).toMillis() <= 125, waits.toString());
            assertTrue(waits.get(1).toMillis() >= 200 && waits.get(1).toMillis() <= 250, waits.toString());
            m.close();
        }
    }

    @Test
    void badRequestFailsAtOnceWithTheServerMessageAndNoKey() throws Exception {
        try (Stub stub = new Stub((r, i) -> Reply.json(400,
                error("Invalid value for 'messages': bad role; key sk-test-secret-123", "invalid_request_error", "invalid_value")));
                OpenAiModel m = model(stub, config(stub, ""))) {
            OpenAiException e = assertThrows(OpenAiException.class,
                    () -> m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)));
            assertEquals(1, stub.count(), "4xx other than 429 is not retried");
            assertEquals(400, e.status());
            assertEquals("invalid_request_error", e.errorType());
            assertEquals("invalid_value", e.errorCode());
            String msg = e.getMessage();
            assertTrue(msg.startsWith("POST http://127.0.0.1:"), msg);
            assertTrue(msg.contains("HTTP 400 (invalid_request_error, code invalid_value): Invalid value for 'messages': bad role"), msg);
            assertFalse(msg.contains("sk-test-secret-123"), "the API key never appears: " + msg);
            assertFalse(e.serverMessage().contains("sk-test-secret-123"));
        }
    }

    @Test
    void switchesToMaxCompletionTokensWhenAsked() throws Exception {
        try (Stub stub = new Stub((r, i) -> r.body().has("max_tokens")
                ? Reply.json(400, error("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                        "invalid_request_error", "unsupported_parameter"))
                : Reply.json(200, chatReply("fine", "stop", 1, 1)));
                OpenAiModel m = model(stub, config(stub, ""))) {
            assertEquals("fine", m.generate(List.of(Message.user("a")), List.of(), GenerationOptions.greedy(16)).text());
            assertEquals("fine", m.generate(List.of(Message.user("b")), List.of(), GenerationOptions.greedy(16)).text());
            assertEquals(3, stub.count(), "one refusal, then max_completion_tokens from the start");
            assertEquals(16, stub.request(2).body().get("max_completion_tokens").asInt());
        }
    }

    @Test
    void timesOutRetriesAndReportsTimeouts() throws Exception {
        try (Stub stub = new Stub((r, i) -> i == 0
                ? Reply.json(200, chatReply("too late", "stop", 1, 1)).after(3000)
                : Reply.json(200, chatReply("in time", "stop", 1, 1)))) {
            OpenAiModel.Config c = config(stub, "").withTimeout(Duration.ofMillis(300)).withRetries(1, Duration.ofMillis(1));
            try (OpenAiModel m = model(stub, c)) {
                long t0 = System.nanoTime();
                assertEquals("in time", m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)).text());
                assertEquals(2, stub.count());
                assertTrue(System.nanoTime() - t0 < 2_500_000_000L, "the timeout cut the slow attempt short");
            }
        }
        try (Stub stub = new Stub((r, i) -> Reply.json(200, chatReply("never", "stop", 1, 1)).after(3000))) {
            OpenAiModel.Config c = config(stub, "").withTimeout(Duration.ofMillis(200)).withRetries(0, Duration.ofMillis(1));
            try (OpenAiModel m = model(stub, c)) {
                OpenAiException e = assertThrows(OpenAiException.class,
                        () -> m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)));
                assertEquals(-1, e.status());
                assertTrue(e.getMessage().contains("no response within 0.2 s"), e.getMessage());
                assertTrue(e.getMessage().contains("/v1/chat/completions"), e.getMessage());
            }
        }
    }

    @Test
    void connectionRefusedIsRetriedThenReported() throws Exception {
        URI dead;
        try (Stub stub = new Stub((r, i) -> Reply.json(200, "{}"))) {
            dead = stub.base("/v1");
        }
        List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
        OpenAiModel.Config c = new OpenAiModel.Config(dead, "m", null, Duration.ofSeconds(2), 2, Duration.ofMillis(1), null);
        try (OpenAiModel m = new OpenAiModel(c, k -> null, waits::add, 3)) {
            OpenAiException e = assertThrows(OpenAiException.class,
                    () -> m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)));
            assertEquals(2, waits.size());
            assertEquals(3, e.attempts());
            assertTrue(e.getMessage().contains(dead + "/chat/completions"), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
        }
    }

    @Test
    void malformedSuccessIsAClearError() throws Exception {
        try (Stub stub = new Stub((r, i) -> Reply.json(200, i == 0 ? "not json at all" : "{\"choices\": []}"));
                OpenAiModel m = model(stub, config(stub, ""))) {
            OpenAiException e = assertThrows(OpenAiException.class,
                    () -> m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)));
            assertTrue(e.getMessage().contains("not a JSON object: not json at all"), e.getMessage());
            OpenAiException f = assertThrows(OpenAiException.class,
                    () -> m.generate(List.of(Message.user("hi")), List.of(), GenerationOptions.greedy(8)));
            assertTrue(f.getMessage().contains("no choices"), f.getMessage());
        }
    }

    @Test
    void configFromEnvironment() {
        Map<String, String> env = Map.of("TTSI_TEACHER_URL", "http://127.0.0.1:9/v1", "OPENAI_BASE_URL", "http://127.0.0.1:8",
                "TTSI_TEACHER_MODEL", "teacher-7b", "TTSI_TEACHER_API_KEY", "k1");
        OpenAiModel.Config c = OpenAiModel.Config.fromEnvironment(null, null, env::get);
        assertEquals(URI.create("http://127.0.0.1:9/v1"), c.baseUrl());
        assertEquals("teacher-7b", c.model());
        assertEquals("TTSI_TEACHER_API_KEY", c.apiKeyEnv());
        assertNull(c.templateDir());

        OpenAiModel.Config d = OpenAiModel.Config.fromEnvironment("http://127.0.0.1:7", "gpt-x",
                Map.of("OPENAI_BASE_URL", "http://127.0.0.1:8", "OPENAI_API_KEY", "k2")::get);
        assertEquals(URI.create("http://127.0.0.1:7"), d.baseUrl());
        assertEquals("gpt-x", d.model());
        assertEquals("OPENAI_API_KEY", d.apiKeyEnv());
        assertEquals(URI.create("http://127.0.0.1:8"),
                OpenAiModel.Config.fromEnvironment(null, "m", Map.of("OPENAI_BASE_URL", "http://127.0.0.1:8")::get).baseUrl());

        var noUrl = assertThrows(IllegalArgumentException.class, () -> OpenAiModel.Config.fromEnvironment(null, "m", k -> null));
        assertTrue(noUrl.getMessage().contains("TTSI_TEACHER_URL"));
        var noModel = assertThrows(IllegalArgumentException.class,
                () -> OpenAiModel.Config.fromEnvironment("http://127.0.0.1:1", null, k -> null));
        assertTrue(noModel.getMessage().contains("TTSI_TEACHER_MODEL"));
        assertThrows(IllegalArgumentException.class, () -> OpenAiModel.Config.of(URI.create("ftp://x/"), "m"));
        assertTrue(OpenAiModel.Config.of(URI.create("http://127.0.0.1:1"), "m").toString().contains("OPENAI_API_KEY"));
    }

    // ---- scoring ----

    static Path sharedModel(String name) {
        return SharedFolder.find("models/" + name);
    }

    static Path qwenTemplate() {
        Path dir = sharedModel("Qwen2.5-0.5B-Instruct");
        Assumptions.assumeTrue(dir != null && Files.exists(dir.resolve("tokenizer_config.json")),
                "skipped: no shared/models/Qwen2.5-0.5B-Instruct above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /**
     * A vLLM-like /v1/completions with echo: the prompt cut into chunk-character tokens (so one may straddle the
     * prompt's end), token i has log-prob -(i+1)/100 (the first none), optionally a BOS token first; refuses max_tokens 0
     * when asked to, and appends one generated token per max_token.
     */
    static Reply completions(Request r, int chunk, boolean refuseZero, boolean bos, boolean logprobs) {
        JsonNode b = r.body();
        if (!r.path().equals("/v1/completions")) return Reply.json(404, error("no route " + r.path(), "not_found", null));
        int maxTokens = b.get("max_tokens").asInt();
        if (refuseZero && maxTokens < 1) return Reply.json(400, error("max_tokens must be at least 1, got 0.", "BadRequestError", "400"));
        String prompt = b.get("prompt").asText();
        ArrayNode toks = Json.array(), lps = Json.array(), offs = Json.array();
        int off = 0;
        if (bos) {
            toks.add("<s>");
            lps.addNull();
            offs.add(0);
            off = 3;
        }
        for (int i = 0; i < prompt.length(); i += chunk) {
            toks.add(prompt.substring(i, Math.min(prompt.length(), i + chunk)));
            if (toks.size() == 1) lps.addNull();
            else lps.add(-(i / chunk + 1) / 100.0);
            offs.add(off + i);
        }
        int promptTokens = toks.size();
        for (int g = 0; g < maxTokens; g++) {
            toks.add(" X");
            lps.add(-9.0);
            offs.add(off + prompt.length() + 2 * g);
        }
        ObjectNode resp = Json.object();
        resp.put("object", "text_completion");
        ObjectNode choice = resp.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", prompt + " X".repeat(maxTokens));
        if (logprobs) {
            ObjectNode lp = choice.putObject("logprobs");
            lp.set("tokens", toks);
            lp.set("token_logprobs", lps);
            lp.set("text_offset", offs);
            lp.putNull("top_logprobs");
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", "length");
        resp.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", maxTokens);
        return Reply.json(200, resp);
    }

    /** What the stub's tokenization should give for a continuation after this prompt. */
    static void checkScore(String prompt, String continuation, int chunk, TokenLogprobs lp) {
        String full = prompt + continuation;
        int firstIndex = prompt.length() / chunk; // the token straddling the prompt's end, or starting right at it
        List<String> want = new ArrayList<>();
        List<Double> wantLp = new ArrayList<>();
        for (int i = firstIndex * chunk; i < full.length(); i += chunk) {
            want.add(full.substring(i, Math.min(full.length(), i + chunk)));
            wantLp.add(-(i / chunk + 1) / 100.0);
        }
        assertEquals(want, lp.tokens());
        assertEquals(wantLp.size(), lp.logprobs().length);
        for (int i = 0; i < wantLp.size(); i++) assertEquals(wantLp.get(i), lp.logprobs()[i], 1e-12);
        assertTrue(String.join("", lp.tokens()).endsWith(continuation));
        // where each token ends in the continuation (the first may start inside the prompt)
        for (int k = 0; k < want.size(); k++) {
            assertEquals(Math.min(full.length(), (firstIndex + k + 1) * chunk) - prompt.length(), lp.ends()[k]);
        }
    }

    @Test
    void scoresContinuationsFromEchoedPromptLogprobs() throws Exception {
        Path dir = qwenTemplate();
        AtomicInteger chunk = new AtomicInteger(5);
        try (Stub stub = new Stub((r, i) -> completions(r, chunk.get(), true, false, true));
                OpenAiModel remote = model(stub, config(stub, "/v1").withTemplateDir(dir))) {
            ScoringModel m = remote.scoring().orElseThrow();
            List<Message> messages = List.of(Message.system("You are a helpful assistant."), Message.user("Weather in Paris, and the time in Oslo?"));
            List<ToolSpec> tools = List.of(weatherTool(), timeTool());
            String prompt = ChatPrompts.prompt(ChatTemplate.load(dir), messages, tools);
            assertTrue(prompt.startsWith("<|im_start|>system\n"), prompt);
            assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
            assertTrue(prompt.contains("\"name\": \"get_weather\""), "tools are in the prompt");
            // a token size that makes one token straddle the prompt's end (then it counts as continuation)
            while (prompt.length() % chunk.get() == 0) chunk.incrementAndGet();

            String a = "<tool_call>\n{\"name\": \"get_weather\"", b = "<tool_call>\n{\"name\": \"get_time\"";
            List<TokenLogprobs> scores = m.score(messages, tools, List.of(a, b, ""));
            assertEquals(3, scores.size());
            checkScore(prompt, a, chunk.get(), scores.get(0));
            checkScore(prompt, b, chunk.get(), scores.get(1));
            assertFalse(scores.get(0).tokens().getFirst().startsWith("<"), "the first token straddles: " + scores.get(0).tokens());
            assertEquals(0, scores.get(2).tokens().size(), "an empty continuation has no tokens and needs no request");

            // 0 was refused once, then max_tokens 1 for every request; the generated token is left out.
            assertEquals(3, stub.count());
            assertEquals(0, stub.request(0).body().get("max_tokens").asInt());
            assertEquals(1, stub.request(1).body().get("max_tokens").asInt());
            assertEquals(1, stub.request(2).body().get("max_tokens").asInt());
            JsonNode body = stub.request(2).body();
            assertEquals("test-model", body.get("model").asText());
            assertTrue(body.get("echo").asBoolean());
            assertEquals(0, body.get("logprobs").asInt());
            assertEquals(prompt + b, body.get("prompt").asText());
            assertEquals("Bearer sk-test-secret-123", stub.request(2).header("Authorization"));
            for (TokenLogprobs s : scores) assertFalse(s.tokens().contains(" X"));

            String text = m.assistantText(messages, tools, Message.assistantCalls("", List.of(ToolCall.of("get_time", Map.of("city", "Oslo")))));
            assertEquals("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call><|im_end|>\n", text);
        }
    }

    @Test
    void scoringAllowsMaxTokensZeroAndAPrependedBos() throws Exception {
        Path dir = qwenTemplate();
        AtomicInteger chunk = new AtomicInteger(4);
        try (Stub stub = new Stub((r, i) -> completions(r, chunk.get(), false, true, true));
                OpenAiModel remote = model(stub, config(stub, "").withTemplateDir(dir))) {
            ScoringModel m = remote.scoring().orElseThrow();
            List<Message> messages = List.of(Message.user("What time is it in Oslo?"));
            String prompt = ChatPrompts.prompt(ChatTemplate.load(dir), messages, List.of(timeTool()));
            while (prompt.length() % chunk.get() != 0) chunk.incrementAndGet(); // here a token starts right at the boundary
            String cont = "<tool_call>\n{\"name\": \"get_time\"";
            TokenLogprobs lp = m.score(messages, List.of(timeTool()), List.of(cont)).getFirst();
            checkScore(prompt, cont, chunk.get(), lp);
            assertTrue(lp.tokens().getFirst().startsWith("<tool"), lp.tokens().toString());
            assertEquals(1, stub.count());
            assertEquals(0, stub.request(0).body().get("max_tokens").asInt());
        }
    }

    @Test
    void scoringWithoutPromptLogprobsOrTemplateIsUnsupported() throws Exception {
        Path dir = qwenTemplate();
        try (Stub stub = new Stub((r, i) -> completions(r, 5, false, false, false));
                OpenAiModel remote = model(stub, config(stub, "").withTemplateDir(dir));
                OpenAiModel plain = model(stub, config(stub, ""))) {
            ScoringModel m = remote.scoring().orElseThrow();
            var e = assertThrows(UnsupportedOperationException.class,
                    () -> m.score(List.of(Message.user("hi")), List.of(timeTool()), List.of("<tool_call>")));
            assertTrue(e.getMessage().contains("returned no prompt log-probabilities"), e.getMessage());
            assertTrue(e.getMessage().contains("/v1/completions"), e.getMessage());

            assertTrue(plain.scoring().isEmpty(), "without a template the model does not score");
        }
    }

    // ---- end to end: the teacher of TT-D ----

    @Test
    void dataSynthesizerGetsValidPairsFromAStubTeacher() throws Exception {
        String answer = """
                Here you go:
                ```json
                [{"query": "What will the weather be in Lyon over the next 5 days?",
                  "answer": [{"name": "get_weather", "arguments": {"city": "Lyon", "days": 5}}]},
                 {"query": "Book me a flight", "answer": [{"name": "book_flight", "arguments": {}}]},
                 {"query": "Is it going to rain in Kyoto tomorrow?",
                  "answer": [{"name": "get_weather", "arguments": {"city": "Kyoto", "days": 1}}]}]
                ```""";
        try (Stub stub = new Stub((r, i) -> Reply.json(200, chatReply(answer, "stop", 200, 90)));
                OpenAiModel teacher = model(stub, config(stub, "/v1"))) {
            DataSynthesizer g = new DataSynthesizer(new DataSynthesizer.Options(2, 3, new GenerationOptions(512, 0.7, 0.95, 0, 0, List.of())));
            DataSynthesizer.Result res = g.synthesize(teacher, List.of(Message.user("What's the weather in Paris for 3 days?")),
                    List.of(weatherTool()), 11);
            assertEquals(2, res.pairs().size(), "rejections: " + res.rejections());
            assertEquals(1, res.attempts());
            assertEquals(1, res.rejections().size());
            assertTrue(res.rejections().getFirst().contains("unknown tool 'book_flight'"), res.rejections().toString());
            assertEquals("What will the weather be in Lyon over the next 5 days?", res.pairs().get(0).query());
            assertEquals(List.of(ToolCall.of("get_weather", Map.of("city", "Lyon", "days", 5))), res.pairs().get(0).calls());
            assertEquals(List.of(ToolCall.of("get_weather", Map.of("city", "Kyoto", "days", 1))), res.pairs().get(1).calls());

            JsonNode sent = stub.request(0).body();
            assertFalse(sent.has("tools"), "the synthesis prompt offers no tools to call");
            assertEquals(0.7, sent.get("temperature").asDouble());
            assertEquals(11 * 1_000_003L, sent.get("seed").asLong());
            assertEquals("system", sent.get("messages").get(0).get("role").asText());
            assertTrue(sent.get("messages").get(1).get("content").asText().contains("get_weather"));
            assertNotNull(res.raw().getFirst());
        }
    }
}
