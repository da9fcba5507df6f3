package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded queue (429 + Retry-After), cancellation on disconnect, the per-request timeout, graceful shutdown. */
@Timeout(120)
class LoadControlTest {
    static final String BODY = "{\"model\": \"slow\", \"messages\": [{\"role\": \"user\", \"content\": \"go\"}]}";

    static ServeOptions options(int queue, Duration timeout, Duration grace) {
        return ServeOptions.defaults(0, "slow").withQueue(queue).withTimeouts(timeout, grace);
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    static CompletableFuture<Http.Reply> async(String url, String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Http.post(url, body);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void fullQueueAnswers429WithRetryAfter() throws Exception {
        ScriptedModel m = ScriptedModel.slow(40, 20);
        try (TtsiServer s = new TtsiServer(options(2, Duration.ofSeconds(60), Duration.ofSeconds(10)), m, null).start()) {
            String url = s.baseUrl() + "/chat/completions";
            var a = async(url, BODY);
            var b = async(url, BODY);
            await(() -> s.api().inProgress() == 2, "two admitted requests");
            Http.Reply busy = Http.post(url, BODY);
            assertEquals(429, busy.status(), busy.body());
            assertEquals("1", busy.headers().firstValue("retry-after").orElseThrow());
            assertEquals("rate_limit_exceeded", busy.json().get("error").get("code").asText());
            assertEquals(200, a.get(30, TimeUnit.SECONDS).status());
            assertEquals(200, b.get(30, TimeUnit.SECONDS).status());
            assertEquals(200, Http.post(url, BODY).status()); // room again
            assertEquals(1, s.api().metrics().counter("ttsi_rejected_total", ""));
        }
    }

    /** Sends a request on a raw socket, reads until `until` appears (or nothing), then hangs up. */
    static void hangUpAfter(int port, String body, String until) throws Exception {
        try (Socket sock = new Socket("127.0.0.1", port)) {
            OutputStream out = sock.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            if (until != null) {
                InputStream in = sock.getInputStream();
                StringBuilder seen = new StringBuilder();
                while (!seen.toString().contains(until)) {
                    int c = in.read();
                    if (c < 0) break;
                    seen.append((char) c);
                }
            } else {
                Thread.sleep(300);
            }
        }
    }

    @Test
    void clientDisconnectCancelsWork() throws Exception {
        ScriptedModel m = ScriptedModel.slow(200, 10); // 2 s of work per request
        try (TtsiServer s = new TtsiServer(options(4, Duration.ofSeconds(60), Duration.ofSeconds(10)), m, null).start()) {
            hangUpAfter(s.port(), BODY, null); // a whole response that is never awaited
            await(() -> s.api().inProgress() == 0, "the cancelled request to end");
            int afterWhole = m.generated.get();
            assertTrue(afterWhole < 150, "generation went on after the client left: " + afterWhole);
            hangUpAfter(s.port(), BODY.replace("}]}", "}], \"stream\": true}"), "\"content\":\"xxxx\""); // a stream, left after its first piece
            await(() -> s.api().inProgress() == 0, "the cancelled stream to end");
            assertTrue(m.generated.get() - afterWhole < 150, "streaming went on after the client left");
            assertEquals(2, s.api().metrics().counter("ttsi_cancelled_total", Metrics.labels("reason", "client_disconnected")));
            // a request queued behind a running one is dropped without running when its client leaves
            var running = async(s.baseUrl() + "/chat/completions", BODY);
            await(() -> m.calls.get() == 3, "the third request to start");
            hangUpAfter(s.port(), BODY, null);
            assertEquals(200, running.get(30, TimeUnit.SECONDS).status());
            await(() -> s.api().inProgress() == 0, "all requests to end");
            assertEquals(3, m.calls.get(), "the abandoned queued request ran");
        }
    }

    @Test
    void requestTimeoutAnswers504() throws Exception {
        ScriptedModel m = ScriptedModel.slow(200, 10);
        try (TtsiServer s = new TtsiServer(options(4, Duration.ofMillis(300), Duration.ofSeconds(10)), m, null).start()) {
            long t0 = System.nanoTime();
            Http.Reply r = Http.post(s.baseUrl() + "/chat/completions", BODY);
            assertEquals(504, r.status(), r.body());
            assertEquals("timeout", r.json().get("error").get("code").asText());
            assertTrue((System.nanoTime() - t0) / 1e9 < 1.5);
            Http.Reply st = Http.post(s.baseUrl() + "/chat/completions", BODY.replace("}]}", "}], \"stream\": true}"));
            assertEquals(200, st.status());
            assertTrue(st.events().getLast().contains("\"code\":\"timeout\""), st.body());
        }
    }

    @Test
    void gracefulShutdownFinishesAdmittedRequests() throws Exception {
        ScriptedModel m = ScriptedModel.slow(20, 25); // 0.5 s each
        TtsiServer s = new TtsiServer(options(4, Duration.ofSeconds(60), Duration.ofSeconds(20)), m, null).start();
        String url = s.baseUrl() + "/chat/completions";
        List<CompletableFuture<Http.Reply>> admitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) admitted.add(async(url, BODY));
        await(() -> s.api().inProgress() == 3, "three admitted requests");
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(s::shutdown);
        await(() -> s.api().draining(), "draining");
        Http.Reply late = Http.post(url, BODY);
        assertEquals(503, late.status());
        assertEquals("shutting_down", late.json().get("error").get("code").asText());
        for (var f : admitted) assertEquals(200, f.get(30, TimeUnit.SECONDS).status());
        assertTrue(stopped.get(30, TimeUnit.SECONDS), "shutdown had to cancel requests");
    }

    @Test
    void shutdownPastTheGraceRejectsWhatIsLeft() throws Exception {
        ScriptedModel m = ScriptedModel.slow(400, 10); // 4 s each
        TtsiServer s = new TtsiServer(options(4, Duration.ofSeconds(60), Duration.ofMillis(200)), m, null).start();
        String url = s.baseUrl() + "/chat/completions";
        var a = async(url, BODY);
        var b = async(url, BODY.replace("}]}", "}], \"stream\": true}"));
        await(() -> s.api().inProgress() == 2, "two admitted requests");
        assertFalse(s.shutdown());
        Http.Reply ra = a.get(10, TimeUnit.SECONDS);
        assertEquals(503, ra.status());
        assertEquals("shutting_down", ra.json().get("error").get("code").asText());
        Http.Reply rb = b.get(10, TimeUnit.SECONDS);
        assertTrue(rb.status() == 503 || rb.events().getLast().contains("shutting_down"), rb.body());
        assertTrue(m.generated.get() < 600, "work went on after the shutdown: " + m.generated.get());
    }
}
