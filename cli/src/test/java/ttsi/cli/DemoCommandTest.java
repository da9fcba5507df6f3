package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ttsi demo prints at the end: the report's Δ-vs-base table over OUT/runs. */
class DemoCommandTest {
    @TempDir
    Path out;

    /** A run folder as the demo leaves it, reduced to the result lines the table needs (one seed). */
    void run(String name, String method, boolean... correct) throws Exception {
        Path dir = Files.createDirectories(out.resolve("runs").resolve(name));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < correct.length; i++) {
            b.append("{\"id\": \"ts_").append(i).append("\", \"seed\": 0, \"benchmark\": \"toolshift\", \"method\": \"").append(method)
                    .append("\", \"correct\": ").append(correct[i]).append("}\n");
        }
        Files.writeString(dir.resolve("results-seed-0.jsonl"), b);
    }

    @Test
    void printsEachVariantAgainstTheBaseRun() throws Exception {
        run("base", "base", true, false, false, false);
        run("sft", "base", true, true, false, false); // the SFT baseline: a variant, not the base
        run("tt-si", "tt-si", true, true, true, true);
        String table = DemoCommand.deltaTable(out);
        assertTrue(table.startsWith("\n## Δ vs base (95% CI, paired bootstrap over samples)"), table);
        assertTrue(table.contains("Base run: `" + out.resolve("runs/base") + "`, accuracy 25.00 ± n/a % (1 seed)."), table);
        // sft: differences 0, +1, 0, 0; tt-si: 0, +1, +1, +1 (in points: +25 and +75 over the 4 paired samples).
        assertTrue(table.contains("| base (sft) | 50.00 ± n/a (1 seed) | +25.00 | ["), table);
        assertTrue(table.contains("| tt-si | 100.00 ± n/a (1 seed) | +75.00 | ["), table);
        assertTrue(table.contains("] | 4 |"), table);
    }

    @Test
    void printsNothingWithoutABaseRun() throws Exception {
        run("tt-si", "tt-si", true, false);
        assertEquals("", DemoCommand.deltaTable(out));
    }
}
