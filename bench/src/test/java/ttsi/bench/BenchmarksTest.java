package ttsi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarksTest {
    @Test
    void namesAreForgiving() {
        assertEquals("apibank-l1", Benchmarks.get("apibank_l1").name());
        assertEquals("apibank-l1", Benchmarks.get("APIBank-L1").name());
        assertEquals("bfcl-simple_python", Benchmarks.get("bfcl_simple_python").name());
        assertEquals("bfcl-live_multiple", Benchmarks.get("bfcl-live_multiple").name());
        assertEquals(List.of("bfcl/BFCL_v4_live_multiple.json"), Benchmarks.get("bfcl-live_multiple").files());
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Benchmarks.get("nope"));
        assertTrue(e.getMessage().contains("sealtool") && e.getMessage().contains("bfcl-<category>"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Benchmarks.get("bfcl-../x"));
    }

    @Test
    void everyBenchmarkHasSourcesForItsFiles() {
        for (Benchmark b : Benchmarks.all()) {
            if (b.name().startsWith("toolshift")) continue; // generated from a seed, not downloaded
            for (String f : b.files()) {
                assertTrue(b.sources().stream().anyMatch(s -> s.path().equals(f)), b.name() + " has no source for " + f);
            }
        }
    }

    @Test
    void extraBfclCategoriesAreFoundInTheDataFolder() {
        assertTrue(Benchmarks.all(Fixtures.dataDir()).stream().anyMatch(b -> b.name().equals("bfcl-live_custom")));
    }
}
