package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;

/** A short version of the load test (the full one is {@code ttsi bench serve}). */
@Timeout(240)
class ServeBenchTest {
    @TempDir
    Path dir;

    @Test
    void boundedLoadHasNoErrorsAndNoLostResponses() throws Exception {
        try (EmbeddedModel m = TestModels.tiny(dir.resolve("tiny"));
             TtsiServer s = new TtsiServer(ServeOptions.defaults(0, "tiny").withQueue(6), m, null).start()) {
            ServeBench.Report r = ServeBench.run(new ServeBench.Options(s.baseUrl(), "tiny", 80, 16, 8, 0.25, Duration.ofSeconds(60)));
            System.out.print(ServeBench.format(r));
            assertEquals(0, r.errors(), r.errorKinds().toString());
            assertEquals(0, r.lost());
            assertEquals(80, r.ok() + r.rejected());
            assertTrue(r.ok() > 0);
            assertTrue(r.rejected() > 0, "16 clients on a queue of 6 should see 429s");
            Metrics metrics = s.api().metrics();
            // The server may count a request just after its response has reached the client: let counters settle.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && (metrics.counter("ttsi_rejected_total", "") != r.rejected()
                    || metrics.counter("ttsi_requests_total", Metrics.labels("endpoint", "chat", "status", "200")) != r.ok()
                    || s.api().inProgress() != 0)) {
                Thread.sleep(10);
            }
            assertEquals(r.rejected(), metrics.counter("ttsi_rejected_total", ""));
            assertEquals(r.ok(), metrics.counter("ttsi_requests_total", Metrics.labels("endpoint", "chat", "status", "200")));
            assertEquals(0, s.api().inProgress());
        }
    }

    /** The HTTP stack alone (a scripted model answers at once): what the server adds per request. */
    @Test
    void httpStackThroughput() throws Exception {
        try (TtsiServer s = new TtsiServer(ServeOptions.defaults(0, "scripted").withQueue(64), ScriptedModel.toolCaller(), null).start()) {
            ServeBench.Report r = ServeBench.run(new ServeBench.Options(s.baseUrl(), null, 400, 16, 16, 0.25, Duration.ofSeconds(60), true, 20));
            System.out.print(ServeBench.format(r));
            assertEquals(0, r.errors(), r.errorKinds().toString());
            assertEquals(0, r.lost());
            assertEquals(400, r.ok());
        }
    }

    @Test
    void refusesTargetsOffThisMachine() {
        assertThrows(IllegalArgumentException.class, () -> ServeBench.requireLoopback("http://10.0.0.1:8000/v1"));
        ServeBench.requireLoopback("http://127.0.0.1:8000/v1");
        ServeBench.requireLoopback("http://localhost:8000/v1");
    }
}
