package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.json.Json;

/**
 * TT-SI inside the server, with TT-D's teacher being a second ttsi serve reached through ttsi's own OpenAiModel:
 * the student (a tiny random model with a tokenizer written by the test: no shared/ needed) adapts per request,
 * answers and resets; adaptations never leak into other requests' answers.
 */
@Timeout(300)
class SelfImprovementTest {
    @TempDir
    static Path dir;
    static EmbeddedModel student;
    static TtsiServer teacherServer, server;
    static OpenAiModel teacher;
    static String url;

    static final String TOOLS = ServerTest.TOOLS;

    /** The teacher writes one valid pair for whatever tools it is shown. */
    static ScriptedModel teacherModel() {
        return new ScriptedModel((messages, tools) -> {
            String prompt = messages.getLast().content();
            if (!prompt.contains("Write 1 new user request")) return "I only write training data.";
            return "[{\"query\": \"What is the weather like in Berlin today?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Berlin\"}}]}]";
        });
    }

    @BeforeAll
    static void start() throws Exception {
        teacherServer = new TtsiServer(ServeOptions.defaults(0, "teacher"), teacherModel(), null).start();
        teacher = new OpenAiModel(OpenAiModel.Config.of(URI.create(teacherServer.baseUrl()), "teacher").withRetries(0, Duration.ZERO)
                .withApiKeyEnv("TTSI_TEST_NO_KEY"));
        student = TestModels.bare(dir.resolve("bare"));
        // This operator lets clients force an adaptation (the default: no more than --ttsi).
        ServeOptions o = ServeOptions.defaults(0, "tiny").withQueue(32).withTtsi(TtsiMode.AUTO, 1.0).withSynthesis(1, 1, 256, 0.7)
                .withAccess(new Access(null, true, TtsiMode.FORCE));
        server = new TtsiServer(o, student, teacher).start();
        url = server.baseUrl() + "/chat/completions";
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (teacherServer != null) teacherServer.close();
        if (teacher != null) teacher.close();
        if (student != null) student.close();
    }

    static String request(String query) {
        return "{\"model\": \"tiny\", \"messages\": [{\"role\": \"system\", \"content\": \"You call tools.\"}, {\"role\": \"user\", \"content\": \""
                + query + "\"}], \"tools\": " + TOOLS + ", \"temperature\": 0, \"max_tokens\": 10}";
    }

    static String content(Http.Reply r) {
        assertEquals(200, r.status(), r.body());
        JsonNode m = r.json().get("choices").get(0).get("message");
        return m.get("content").isNull() ? Json.compact(m.get("tool_calls")) : m.get("content").asText();
    }

    @Test
    void uncertainRequestAdaptsWithTheTeacherAndResets() throws Exception {
        String body = request("Is it raining in Paris?");
        String base = content(Http.post(url, body, "X-TTSI", "off"));
        Http.Reply r = Http.post(url, body);
        JsonNode t = r.json().get("ttsi");
        assertTrue(t.get("adapted").asBoolean(), t.toString());
        assertTrue(t.get("uncertain").asBoolean());
        assertEquals("teacher", t.get("generator").asText());
        assertEquals(1, t.get("pairs").asInt());
        assertTrue(t.get("losses").size() >= 1);
        for (String stage : List.of("score", "synthesize", "train", "answer")) assertTrue(t.get("seconds").has(stage), t.toString());
        assertEquals("true", r.headers().firstValue("x-ttsi-adapted").orElseThrow());
        assertNotEquals(base, content(r), "the adapted model answers like the base model");
        // reset: the base answer is back
        assertEquals(base, content(Http.post(url, body, "X-TTSI", "off")));
        assertEquals(base, content(Http.post(url, body.replace("\"max_tokens\": 10", "\"max_tokens\": 10, \"ttsi\": false"))));
        // the teacher really answered over HTTP
        assertTrue(teacherServer.api().metrics().counter("ttsi_requests_total", Metrics.labels("endpoint", "chat", "status", "200")) >= 1);
        assertTrue(server.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "adapted")) >= 1);
    }

    /** A served model that can neither score nor adapt: H calls every request certain, and a forced one is unsupported. */
    @Test
    void aModelThatCannotScoreOrAdaptIsNeverAdapted() throws Exception {
        ServeOptions o = ServeOptions.defaults(0, "tiny").withTtsi(TtsiMode.AUTO, 1.0).withAccess(new Access(null, true, TtsiMode.FORCE));
        try (TtsiServer s = new TtsiServer(o, ScriptedModel.toolCaller(), null).start()) {
            String u = s.baseUrl() + "/chat/completions";
            JsonNode auto = Http.post(u, request("Time in Lima?")).json().get("ttsi");
            assertFalse(auto.get("adapted").asBoolean(), auto.toString());
            assertEquals("model cannot score", auto.get("reason").asText());
            JsonNode forced = Http.post(u, request("Time in Lima?"), "X-TTSI", "force").json().get("ttsi");
            assertFalse(forced.get("adapted").asBoolean(), forced.toString());
            assertEquals("model cannot be adapted", forced.get("reason").asText());
            assertEquals(1, s.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "certain")));
            assertEquals(1, s.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "unsupported")));
            Http.post(u, request("Time in Lima?"), "X-TTSI", "off");
            assertEquals(1, s.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "off")));
        }
    }

    @Test
    void requestFieldForcesAndTurnsOff() throws Exception {
        JsonNode off = Http.post(url, request("Time in Lima?").replace("\"temperature\"", "\"ttsi\": \"off\", \"temperature\"")).json().get("ttsi");
        assertFalse(off.get("adapted").asBoolean());
        assertEquals("off", off.get("mode").asText());
        JsonNode forced = Http.post(url, request("Time in Lima?").replace("\"temperature\"", "\"ttsi\": {\"mode\": \"force\"}, \"temperature\"")).json().get("ttsi");
        assertTrue(forced.get("adapted").asBoolean());
        assertEquals("force", forced.get("mode").asText());
    }

    @Test
    void aTeacherThatIsDownOrFailingDegradesToTheBaseAnswer() throws Exception {
        // One teacher address where nothing listens, one server whose model throws (HTTP 500).
        int deadPort;
        try (java.net.ServerSocket sock = new java.net.ServerSocket(0)) {
            deadPort = sock.getLocalPort();
        }
        ScriptedModel broken = new ScriptedModel((messages, tools) -> {
            throw new IllegalStateException("teacher model crashed");
        });
        try (TtsiServer brokenTeacher = new TtsiServer(ServeOptions.defaults(0, "teacher"), broken, null).start()) {
            for (String teacherUrl : List.of("http://127.0.0.1:" + deadPort + "/v1", brokenTeacher.baseUrl())) {
                try (OpenAiModel t = new OpenAiModel(OpenAiModel.Config.of(URI.create(teacherUrl), "teacher").withRetries(1, Duration.ofMillis(10))
                        .withApiKeyEnv("TTSI_TEST_NO_KEY"));
                     TtsiServer s = new TtsiServer(ServeOptions.defaults(0, "tiny").withTtsi(TtsiMode.FORCE, 1.0).withSynthesis(1, 1, 256, 0.7), student, t)
                             .start()) {
                    String u = s.baseUrl() + "/chat/completions";
                    String body = request("Is it raining in Paris?");
                    String base = content(Http.post(url, body, "X-TTSI", "off"));
                    Http.Reply r = Http.post(u, body);
                    assertEquals(base, content(r), "answered by the base model");
                    JsonNode tt = r.json().get("ttsi");
                    assertFalse(tt.get("adapted").asBoolean());
                    assertTrue(tt.get("reason").asText().startsWith("the teacher failed ("), tt.toString());
                    assertTrue(tt.get("reason").asText().endsWith("); answered by the base model"), tt.toString());
                    for (String leak : List.of("127.0.0.1", Integer.toString(deadPort), "Exception", "ttsi.", "crashed")) {
                        assertFalse(r.body().contains(leak), "the response leaks '" + leak + "': " + r.body());
                    }
                    assertEquals(1, s.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "teacher_failed")));
                }
            }
        }
    }

    @Test
    void adaptationsOverTheCapAreAnsweredByTheBaseModel() throws Exception {
        ScriptedModel slowTeacher = new ScriptedModel((messages, tools) -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "[{\"query\": \"What is the weather like in Berlin today?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Berlin\"}}]}]";
        });
        try (TtsiServer teacherSrv = new TtsiServer(ServeOptions.defaults(0, "teacher"), slowTeacher, null).start();
             OpenAiModel t = new OpenAiModel(OpenAiModel.Config.of(URI.create(teacherSrv.baseUrl()), "teacher").withRetries(0, Duration.ZERO)
                     .withApiKeyEnv("TTSI_TEST_NO_KEY"));
             TtsiServer s = new TtsiServer(ServeOptions.defaults(0, "tiny").withTtsi(TtsiMode.FORCE, 1.0).withSynthesis(1, 1, 256, 0.7)
                     .withAccess(new Access(null, true, null, 1)), student, t).start()) {
            String u = s.baseUrl() + "/chat/completions";
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<Http.Reply>> replies = new ArrayList<>();
                for (int i = 0; i < 3; i++) replies.add(pool.submit(() -> Http.post(u, request("Is it raining in Paris?"))));
                int adapted = 0, limited = 0;
                for (Future<Http.Reply> f : replies) {
                    Http.Reply r = f.get();
                    assertEquals(200, r.status(), r.body());
                    JsonNode tt = r.json().get("ttsi");
                    if (tt.get("adapted").asBoolean()) adapted++;
                    else if (tt.get("reason").asText().startsWith("the server's limit on adaptations was reached (1 in progress)")) limited++;
                }
                assertTrue(adapted >= 1 && limited >= 1 && adapted + limited == 3, adapted + " adapted, " + limited + " limited");
                assertEquals(limited, s.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "limited")));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void underTtsiOffAClientCannotForceAnAdaptation() throws Exception {
        ServeOptions o = ServeOptions.defaults(0, "tiny").withTtsi(TtsiMode.OFF, 1.0).withSynthesis(1, 1, 256, 0.7);
        try (TtsiServer off = new TtsiServer(o, student, teacher).start()) {
            String u = off.baseUrl() + "/chat/completions";
            long teacherCalls = teacherServer.api().metrics().counter("ttsi_requests_total", Metrics.labels("endpoint", "chat", "status", "200"));
            JsonNode byField = Http.post(u, request("Time in Lima?").replace("\"temperature\"", "\"ttsi\": \"force\", \"temperature\"")).json().get("ttsi");
            Http.Reply byHeader = Http.post(u, request("Time in Lima?"), "X-TTSI", "force");
            for (JsonNode t : List.of(byField, byHeader.json().get("ttsi"))) {
                assertFalse(t.get("adapted").asBoolean(), t.toString());
                assertEquals("off", t.get("mode").asText());
                assertTrue(t.get("reason").asText().contains("the client asked for TT-SI 'force'; this server allows at most 'off'"), t.toString());
            }
            assertEquals("off", byHeader.headers().firstValue("x-ttsi-mode").orElse(""));
            assertEquals(2, off.api().metrics().counter("ttsi_client_hints_total", Metrics.labels("outcome", "lowered")));
            assertEquals(0, off.api().metrics().counter("ttsi_adaptations_total", Metrics.labels("outcome", "adapted")));
            assertEquals(teacherCalls, teacherServer.api().metrics().counter("ttsi_requests_total", Metrics.labels("endpoint", "chat", "status", "200")),
                    "no teacher call was spent");
        }
    }

    /** Interleaved concurrent requests: the non-adapting ones always get exactly the base model's answers. */
    @Test
    void adaptationsNeverLeakIntoOtherRequests() throws Exception {
        List<String> queries = List.of("Weather in Oslo?", "What time is it in Tokyo?", "Is Cairo hot now?", "Clock in Quito please");
        List<String> baseline = new ArrayList<>();
        for (String q : queries) baseline.add(content(Http.post(url, request(q), "X-TTSI", "off")));
        record Result(boolean adapting, int query, String content, boolean adapted, long start, long end) {}
        List<Future<Result>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < queries.size(); i++) {
                    for (boolean adapting : new boolean[] {true, false}) {
                        int qi = adapting ? (i + 1) % queries.size() : i;
                        futures.add(pool.submit(() -> {
                            long s = System.nanoTime();
                            Http.Reply r = Http.post(url, request(queries.get(qi)), "X-TTSI", adapting ? "force" : "off");
                            return new Result(adapting, qi, content(r), r.json().get("ttsi").get("adapted").asBoolean(), s, System.nanoTime());
                        }));
                    }
                }
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) results.add(f.get());
            int overlaps = 0;
            for (Result r : results) {
                assertEquals(r.adapting(), r.adapted());
                if (!r.adapting()) {
                    assertEquals(baseline.get(r.query()), r.content(), "a base request saw another request's adaptation");
                    for (Result a : results) if (a.adapting() && a.start() < r.start() && r.end() < a.end()) overlaps++;
                }
            }
            assertTrue(overlaps > 0, "no base request ran while an adaptation was in progress");
        }
        for (int i = 0; i < queries.size(); i++) assertEquals(baseline.get(i), content(Http.post(url, request(queries.get(i)), "X-TTSI", "off")));
    }
}
