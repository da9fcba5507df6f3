package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;

/** Errors in OpenAI's shape with useful messages, and no input that takes the server down. */
@Timeout(180)
class RobustnessTest {
    @TempDir
    static Path dir;
    static EmbeddedModel model;
    static TtsiServer server;
    static String chatUrl, base;

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.tiny(dir.resolve("tiny"));
        ServeOptions o = new ServeOptions("127.0.0.1", 0, "tiny", 8, 1, Duration.ofSeconds(60), Duration.ofSeconds(5), 64 * 1024, 8,
                TtsiMode.OFF, ttsi.agent.method.UncertaintyEstimator.Options.defaults().withTau(0.95),
                ttsi.agent.method.DataSynthesizer.Options.sampling(1, 1, 32, 0.7), null, null);
        server = new TtsiServer(o, model, null).start();
        base = "http://127.0.0.1:" + server.port();
        chatUrl = base + "/v1/chat/completions";
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (model != null) model.close();
    }

    static JsonNode error(Http.Reply r, int status) {
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertTrue(e.get("message").asText().length() > 10, r.body());
        assertTrue(e.has("type") && e.has("param") && e.has("code"), r.body());
        return e;
    }

    static String tools(String parameters) {
        return "[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": " + parameters + "}}]";
    }

    static String chat(String extra) {
        return "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]" + extra + "}";
    }

    @Test
    void badJson() throws Exception {
        JsonNode e = error(Http.post(chatUrl, "{\"model\": \"tiny\", \"messages\": ["), 400);
        assertEquals("invalid_json", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("could not parse the JSON body"));
        error(Http.post(chatUrl, "[1, 2]"), 400);
        error(Http.post(chatUrl, ""), 400);
        error(Http.post(chatUrl, "{} trailing"), 400);
        error(Http.post(chatUrl, "[".repeat(5000) + "]".repeat(5000)), 400); // deeper than the parser allows
    }

    @Test
    void unknownModel() throws Exception {
        JsonNode e = error(Http.post(chatUrl, chat("").replace("\"tiny\"", "\"gpt-5\"")), 404);
        assertEquals("model_not_found", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("'gpt-5' does not exist"));
        error(Http.post(base + "/v1/completions", "{\"model\": \"x\", \"prompt\": \"a\"}"), 404);
    }

    @Test
    void contextTooLong() throws Exception {
        String longText = "hello ".repeat(5000);
        JsonNode e = error(Http.post(chatUrl, "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"" + longText + "\"}]}"), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("maximum context length is 4096 tokens"), e.toString());
        e = error(Http.post(chatUrl, chat(", \"max_tokens\": 5000")), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("for the completion"));
        e = error(Http.post(base + "/v1/completions", "{\"prompt\": \"" + longText + "\", \"echo\": true, \"max_tokens\": 0, \"logprobs\": 0}"), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
    }

    @Test
    void badToolSchemas() throws Exception {
        for (String[] c : new String[][] {
                {tools("\"a string\""), "parameters: expected a JSON-schema object, got string"},
                {tools("{\"type\": \"array\"}"), "type: the arguments schema must be of type \"object\""},
                {tools("{\"type\": \"object\", \"properties\": []}"), "properties: expected a JSON object, got array"},
                {tools("{\"type\": \"object\", \"properties\": {\"a\": 3}}"), "properties.a: expected a JSON-schema object, got number"},
                {tools("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"required\": [\"b\"]}"), "required: 'b' is not one of the properties"},
                {"[{\"type\": \"function\", \"function\": {\"name\": \"bad name!\"}}]", "Invalid tool name"},
                {"[{\"type\": \"function\"}]", "needs a 'function' object"},
                {"[{\"type\": \"retrieval\", \"function\": {\"name\": \"f\"}}]", "must be \"function\""},
                {"{\"name\": \"f\"}", "'tools' must be a list"},
                {"[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}, {\"type\": \"function\", \"function\": {\"name\": \"f\"}}]", "Duplicate tool name"},
        }) {
            JsonNode e = error(Http.post(chatUrl, chat(", \"tools\": " + c[0])), 400);
            assertTrue(e.get("message").asText().contains(c[1]), c[0] + " -> " + e);
        }
        JsonNode e = error(Http.post(chatUrl, chat(", \"tools\": " + tools("{}") + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}")), 400);
        assertTrue(e.get("message").asText().contains("not among the 'tools'"));
    }

    @Test
    void badFields() throws Exception {
        for (String[] c : new String[][] {
                {"{\"model\": \"tiny\"}", "'messages' is required"},
                {"{\"messages\": []}", "non-empty list"},
                {"{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", "unknown role 'robot'"},
                {"{\"messages\": [{\"content\": \"x\"}]}", "needs a 'role'"},
                {"{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "must be a string or a list of text parts"},
                {chat(", \"temperature\": 3"), "between 0 and 2"},
                {chat(", \"temperature\": \"hot\""), "must be a number"},
                {chat(", \"max_tokens\": 0"), "between 1 and"},
                {chat(", \"n\": 2"), "Only n=1"},
                {chat(", \"top_logprobs\": 3"), "needs 'logprobs'"},
                {chat(", \"stop\": [1]"), "must be a string"},
                {chat(", \"ttsi\": \"sometimes\""), "off, auto or force"},
                {chat(", \"tool_choice\": \"required\""), "no 'tools' were given"},
        }) {
            JsonNode e = error(Http.post(chatUrl, c[0]), 400);
            assertTrue(e.get("message").asText().contains(c[1]), c[0] + " -> " + e);
        }
        error(Http.post(chatUrl, chat(""), "X-TTSI", "maybe"), 400);
        error(Http.post(base + "/v1/completions", "{\"model\": \"tiny\"}"), 400);
        error(Http.post(base + "/v1/completions", "{\"prompt\": \"a\", \"logprobs\": 50}"), 400);
        error(Http.post(base + "/v1/completions", "{\"prompt\": [\"a\", \"b\"]}"), 400);
        error(Http.post(base + "/v1/completions", "{\"prompt\": [1, 99999999]}"), 400);
    }

    @Test
    void wrongEndpointsAndMethods() throws Exception {
        error(Http.get(base + "/v1/embeddings"), 404);
        JsonNode e = error(Http.get(chatUrl), 405);
        assertTrue(e.get("message").asText().contains("use POST"));
        error(Http.send("DELETE", base + "/v1/models", null), 405);
        // The server answers 413 and closes without reading the rest; a client still sending may see its pipe
        // break before it reads the answer, so try a few times.
        JsonNode big = null;
        for (int attempt = 0; attempt < 5 && big == null; attempt++) {
            try {
                big = error(Http.post(chatUrl, chat("").replace("hi", "x".repeat(70_000))), 413);
            } catch (java.io.IOException brokenPipe) {
                Thread.sleep(50);
            }
        }
        assertTrue(big != null, "no 413 answer in 5 attempts");
        assertEquals("request_too_large", big.get("code").asText());
        error(Http.get(base + "/v1/embeddings"), 404); // still up
    }

    @Test
    void anOversizedBodyAnnouncedWithExpectContinueGetsTheErrorObject() throws Exception {
        // curl sends "Expect: 100-continue" before large bodies; the 413 must still carry OpenAI's error object.
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 10000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
            assertTrue(reply.contains("\"code\":\"request_too_large\"") && reply.contains("larger than this server's limit"), reply);
        }
        assertEquals(200, Http.get(base + "/health").status());
    }

    @Test
    void wrongMethodsAndUnsupportedParametersAreRefused() throws Exception {
        assertEquals("method_not_allowed", error(Http.send("POST", base + "/health", "{}"), 405).get("code").asText());
        JsonNode e = error(Http.post(base + "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"best_of\": 3}"), 400);
        assertEquals("best_of", e.get("param").asText());
    }

    @Test
    void garbageOnTheSocketLeavesTheServerUp() throws Exception {
        for (String junk : new String[] {"\u0000\u0001\u0002 not http\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n",
                "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{"}) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(3000);
                OutputStream out = s.getOutputStream();
                out.write(junk.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
            } catch (java.net.SocketTimeoutException | java.net.SocketException ignored) {
                // the server may close or wait; either way it must stay up
            }
        }
        assertEquals(200, Http.get(base + "/health").status());
    }

    /** Seeded random mutations of a valid request: every answer is a 200 or a 4xx error object, never a 5xx. */
    @Test
    void fuzzedRequestsNeverCrash() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        ObjectNode valid = (ObjectNode) Json.parse("""
                {"model": "tiny", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"},
                 {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\\"a\\": 1}"}}]},
                 {"role": "tool", "tool_call_id": "c1", "content": "ok"}],
                 "tools": [{"type": "function", "function": {"name": "f", "description": "d",
                   "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}}}],
                 "tool_choice": "auto", "temperature": 0.5, "top_p": 0.9, "max_tokens": 4, "seed": 1, "stop": ["\\n"],
                 "logprobs": true, "top_logprobs": 2, "stream": false, "ttsi": "off"}""");
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            ObjectNode req = valid.deepCopy();
            for (int m = 0; m < 1 + r.nextInt(3); m++) mutate(req, r);
            String url = r.nextInt(4) == 0 ? base + "/v1/completions" : chatUrl;
            Http.Reply reply = Http.post(url, Json.compact(req));
            statuses.add(reply.status());
            assertTrue(reply.status() == 200 || (reply.status() >= 400 && reply.status() < 500), reply.status() + " for " + req + ": " + reply.body());
            if (reply.status() != 200) error(reply, reply.status());
        }
        assertTrue(statuses.contains(200) && statuses.contains(400), statuses.toString());
        assertEquals(200, Http.post(chatUrl, chat(", \"max_tokens\": 2")).status());
    }

    private static void mutate(JsonNode node, SplittableRandom r) {
        List<JsonNode> containers = new ArrayList<>();
        collect(node, containers);
        JsonNode target = containers.get(r.nextInt(containers.size()));
        JsonNode junk = junk(r);
        if (target instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            switch (r.nextInt(3)) {
                case 0 -> { if (!names.isEmpty()) o.remove(names.get(r.nextInt(names.size()))); }
                case 1 -> { if (!names.isEmpty()) o.set(names.get(r.nextInt(names.size())), junk); }
                default -> o.set(new String[] {"prompt", "echo", "n", "model", "role", "content", "name", "type"}[r.nextInt(8)], junk);
            }
        } else if (target instanceof ArrayNode a) {
            if (r.nextBoolean() && !a.isEmpty()) a.remove(r.nextInt(a.size()));
            else a.add(junk);
        }
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            for (JsonNode c : n) collect(c, out);
        }
    }

    private static JsonNode junk(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> Json.NODES.nullNode();
            case 1 -> Json.NODES.numberNode(r.nextInt(7) - 3);
            case 2 -> Json.NODES.numberNode(1e308 * 10);
            case 3 -> Json.NODES.textNode("\uD800 \u0000 <tool_call> {\"name\": ");
            case 4 -> Json.NODES.booleanNode(r.nextBoolean());
            case 5 -> Json.array().add(Json.object());
            case 6 -> Json.NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 7 -> Json.parse("{\"type\": \"object\", \"properties\": {\"x\": {\"type\": [\"string\", \"null\"]}}}");
            case 8 -> Json.NODES.textNode("x".repeat(r.nextInt(200)));
            default -> Json.NODES.numberNode(-0.0);
        };
    }
}
