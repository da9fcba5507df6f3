package ttsi.bench.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.bench.Benchmark;
import ttsi.bench.Benchmarks;
import ttsi.bench.data.HammerLoader;

class FetcherTest {
    @TempDir
    Path tmp;

    /** Nothing listens on port 9 of the loopback address, so this fails at once without touching the network. */
    private static Benchmark unreachable() {
        return new Benchmark("demo", "d", List.of("demo/demo.json"), new HammerLoader(), Benchmark.Scoring.CALLS,
                List.of(new Benchmark.Source("http://127.0.0.1:9/demo.json", "demo/demo.json")));
    }

    @Test
    void offlineFailsAtOnceWithTheUrlsAndTheDataDirHint() {
        long t0 = System.nanoTime();
        var e = assertThrows(FetchException.class, () -> new Fetcher(Duration.ofSeconds(5)).fetch(unreachable(), tmp, false, s -> {}));
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        String m = e.getMessage();
        assertTrue(m.startsWith("cannot reach 127.0.0.1"), m);
        assertTrue(m.contains("http://127.0.0.1:9/demo.json"), m);
        assertTrue(m.contains(tmp.resolve("demo/demo.json").toString()), m);
        assertTrue(m.contains("--data-dir"), m);
        assertFalse(Files.exists(tmp.resolve("demo")));
    }

    @Test
    void presentFilesAreNotFetchedAgain() throws Exception {
        Files.createDirectories(tmp.resolve("demo"));
        Files.writeString(tmp.resolve("demo/demo.json"), "[]");
        var r = new Fetcher().fetch(unreachable(), tmp, false, s -> {});
        assertEquals(List.of(tmp.resolve("demo/demo.json")), r.present());
        assertTrue(r.written().isEmpty());
    }

    @Test
    void hubSourcesAreShownAsTheirAddress() {
        var nexus = Benchmarks.get("nexusraven");
        String hint = Fetcher.hint(nexus, nexus.sources(), tmp);
        assertTrue(hint.contains("https://datasets-server.huggingface.co/rows?dataset=Nexusflow/NexusRaven_API_evaluation&config=standardized_queries"), hint);
        assertTrue(hint.contains("holds nexusraven/"), hint);
    }
}
