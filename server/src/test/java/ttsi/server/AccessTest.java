package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ttsi.agent.json.Json;

/** A server started with an API key: OpenAI's 401 without it, service with it (OpenAI SDK and plain HTTP). */
@Timeout(120)
class AccessTest {
    static final String KEY = "sk-test-4f9a";
    static TtsiServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = new TtsiServer(ServeOptions.defaults(0, "scripted").withAccess(new Access(KEY, false)), ScriptedModel.toolCaller(), null).start();
        base = server.baseUrl();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(base).apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    static Http.Reply get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.replaceAll("/v1$", "") + path)).timeout(Duration.ofSeconds(30)).GET();
        if (authorization != null) b.header("Authorization", authorization);
        try (var c = Http.client()) {
            HttpResponse<String> r = c.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Reply(r.statusCode(), r.headers(), r.body());
        }
    }

    @Test
    void theOpenAiSdkWithTheKeyIsServedAndWithAnotherKeyGets401() {
        var params = ChatCompletionCreateParams.builder().model("scripted").addUserMessage("hi").build();
        assertFalse(sdk(KEY).chat().completions().create(params).choices().isEmpty());
        var e = assertThrows(UnauthorizedException.class, () -> sdk("sk-wrong").chat().completions().create(params));
        assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), "the key is never echoed");
        assertThrows(UnauthorizedException.class, () -> sdk("sk-wrong").models().list());
    }

    @Test
    void everyEndpointButHealthNeedsTheKey() throws Exception {
        for (String path : new String[] {"/v1/models", "/v1/models/scripted", "/metrics", "/v1/nowhere"}) {
            Http.Reply r = get(path, null);
            assertEquals(401, r.status(), path);
            JsonNode err = Json.MAPPER.readTree(r.body()).get("error");
            assertEquals("invalid_api_key", err.get("code").asText(), path);
            assertEquals("invalid_request_error", err.get("type").asText(), path);
            assertTrue(err.get("message").asText().contains("didn't provide an API key"), r.body());
            assertEquals(401, get(path, "Bearer sk-wrong").status(), path);
            assertEquals(401, get(path, "Basic " + KEY).status(), path);
        }
        assertEquals(200, get("/health", null).status());
        assertEquals(200, get("/v1/models", "Bearer " + KEY).status());
        Http.Reply metrics = get("/metrics", "bearer " + KEY);
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("ttsi_unauthorized_total"), "refusals are counted");
        // A POST without the key is refused before its body is read as a request.
        Http.Reply post = Http.post(base + "/chat/completions", "{\"model\": \"scripted\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertEquals(401, post.status(), post.body());
    }

    @Test
    void metricsCanBeLeftOpenForAScraper() throws Exception {
        try (TtsiServer open = new TtsiServer(ServeOptions.defaults(0, "scripted").withAccess(new Access(KEY, true)), ScriptedModel.toolCaller(), null).start()) {
            String root = open.baseUrl().replaceAll("/v1$", "");
            assertEquals(200, Http.get(root + "/metrics").status());
            assertEquals(401, Http.get(root + "/v1/models").status());
        }
        assertThrows(IllegalArgumentException.class, () -> new Access(" ", false));
    }
}
