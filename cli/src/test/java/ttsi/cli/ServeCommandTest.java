package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ttsi.server.TinyCheckpoint;

/** ttsi serve as a process (answers on loopback, stops gracefully on SIGTERM) and ttsi bench serve. */
@Timeout(180)
class ServeCommandTest {
    @TempDir
    Path tmp;

    Path tiny() throws Exception {
        Path tok = TinyCheckpoint.defaultTokenizerDir();
        Assumptions.assumeTrue(tok != null, "shared/models not found; skipping");
        return TinyCheckpoint.write(tmp.resolve("tiny"), tok);
    }

    @Test
    void serveAnswersAndShutsDownGracefully() throws Exception {
        Path model = tiny();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "ttsi.cli.Main", "serve", "--model", model.toString(), "--port", "0", "--served-model-name", "tiny", "--threads", "1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            Pattern url = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+/v1)");
            StringBuffer log = new StringBuffer();
            CompletableFuture<String> found = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        log.append(line).append('\n');
                        Matcher m = url.matcher(line);
                        if (m.find()) found.complete(m.group(1));
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
                found.complete(null);
            });
            String base = found.get(60, TimeUnit.SECONDS);
            assertTrue(base != null, "no URL in the output:\n" + log);
            try (HttpClient c = HttpClient.newHttpClient()) {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + "/chat/completions")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 4}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"chat.completion\""));
            }
            p.toHandle().destroy(); // SIGTERM: the shutdown hook drains and stops
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ttsi serve did not stop");
            reader.join(5000);
            assertTrue(log.toString().contains("shutting down"), log.toString());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void benchServeReportsFigures() throws Exception {
        Path model = tiny();
        CliTest.Run r = CliTest.run("bench", "serve", "--model", model.toString(), "--requests", "24", "--clients", "6", "--queue", "3",
                "--max-tokens", "4", "--threads", "2", "--warmup", "1", "--format", "json");
        assertEquals(0, r.code(), r.err());
        var j = r.json();
        assertEquals(24, j.get("ok_200").asInt());
        assertEquals(0, j.get("errors").asInt());
        assertEquals(0, j.get("lost").asInt());
        assertTrue(j.get("rejected_429").asInt() >= 0);
        assertTrue(j.get("latency_ok_p99_ms").asDouble() >= j.get("latency_ok_p50_ms").asDouble());
    }
}
