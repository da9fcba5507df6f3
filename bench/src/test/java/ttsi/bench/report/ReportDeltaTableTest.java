package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportFixtures.line;
import static ttsi.bench.report.ReportFixtures.writeRun;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Δ-vs-base table of report.md and report.html on small hand-made run directories. */
class ReportDeltaTableTest {
    @TempDir
    Path tmp;

    /** Run lines of 4 samples per seed; correct[seed][sample]. */
    static Map<Long, List<ObjectNode>> seeds(String method, boolean[][] correct) {
        Map<Long, List<ObjectNode>> m = new LinkedHashMap<>();
        for (int s = 0; s < correct.length; s++) {
            List<ObjectNode> ls = new ArrayList<>();
            for (int i = 0; i < correct[s].length; i++) ls.add(line("toolshift", method, s, i, 0.5, 0.95, false, correct[s][i], 0.1, 0, 0, 0.2, 0.3));
            m.put((long) s, ls);
        }
        return m;
    }

    static final boolean T = true, F = false;

    @Test
    void tableComparesEveryRunWithTheBaseRunThatIsNotSft() throws Exception {
        Path runs = tmp.resolve("runs");
        // Per-sample accuracy over the two seeds: base 1, .5, 0, 0.
        writeRun(runs.resolve("student-base"), "toolshift", "base", 0.95, seeds("base", new boolean[][] {{T, F, F, F}, {T, T, F, F}}));
        // Differences 0, +.5, +.5, 0: Δ +25; a resample's mean is K/8 with K ~ Binomial(4, 1/2), and P(K = 0) = P(K = 4)
        // = 1/16 > 2.5%, so the interval is [0, +50].
        writeRun(runs.resolve("tt-si"), "toolshift", "tt-si", 0.95, seeds("tt-si", new boolean[][] {{T, T, F, F}, {T, T, T, F}}));
        // The base's verdicts with sample 1's seeds swapped: every paired difference is 0, so is the interval.
        writeRun(runs.resolve("all"), "toolshift", "all", 0.95, seeds("all", new boolean[][] {{T, T, F, F}, {T, F, F, F}}));
        // An SFT baseline (method base; sorts before student-base): differences −.5, −.5, 0, 0, Δ −25, interval [−50, 0].
        writeRun(runs.resolve("sft"), "toolshift", "base", 0.95, seeds("base", new boolean[][] {{T, F, F, F}, {F, F, F, F}}));
        // Another benchmark without a base run: no table for it.
        writeRun(runs.resolve("alpaca-ttsi"), "toolalpaca", "tt-si", 0.95, Map.of(0L, List.of(line("toolalpaca", "tt-si", 0, 0, 0.5, 0.95, false, true))));

        Report report = Report.of(RunLoader.load(List.of(runs)));
        Report.Group g = report.groups().stream().filter(x -> x.benchmark().equals("toolshift")).findFirst().orElseThrow();
        assertEquals(runs.resolve("student-base"), g.base().run().dir());
        assertEquals(List.of("base (sft)", "tt-si", "all"), g.deltas().stream().map(d -> d.run().label()).toList());
        assertEquals(null, report.groups().stream().filter(x -> x.benchmark().equals("toolalpaca")).findFirst().orElseThrow().base());

        String table = report.deltaMarkdown();
        String expected = """
                ### toolshift

                Base run: `%s`, accuracy 37.50 ± 17.68 %% (2 seeds).

                | run | accuracy %% (mean ± std over seeds) | Δ vs base (points) | 95%% CI (points) | n (paired samples) |
                |---|---|---|---|---|
                | base (sft) | 12.50 ± 17.68 (2 seeds) | -25.00 | [-50.00, +0.00] | 4 |
                | tt-si | 62.50 ± 17.68 (2 seeds) | +25.00 | [+0.00, +50.00] | 4 |
                | all | 37.50 ± 17.68 (2 seeds) | +0.00 | [+0.00, +0.00] | 4 |

                """.formatted(runs.resolve("student-base"));
        assertTrue(table.startsWith("## Δ vs base (95% CI, paired bootstrap over samples)\n\n"), table);
        assertTrue(table.endsWith(expected), table);
        assertFalse(table.contains("toolalpaca"), table);
        String md = report.markdown();
        assertTrue(md.contains(table), "report.md holds the same table");
        assertTrue(md.indexOf("## Accuracy") < md.indexOf(table) && md.indexOf(table) < md.indexOf("## Published numbers"), "after the accuracy section");

        String html = report.html();
        assertTrue(html.contains("<a href=\"#delta\">Δ vs base</a>"));
        String section = html.substring(html.indexOf("<section id=\"delta\">"), html.indexOf("</section>", html.indexOf("<section id=\"delta\">")));
        assertTrue(section.contains("<h2>Δ vs base (95% CI, paired bootstrap over samples)</h2>"), section);
        assertTrue(section.contains("<tr><td>base (sft)</td><td>12.50 ± 17.68 <span class=\"muted\">(2 seeds)</span></td><td>-25.00</td>"
                + "<td>[-50.00, +0.00]</td><td>4</td></tr>"), section);
        assertTrue(section.contains("<tr><td>tt-si</td><td>62.50 ± 17.68 <span class=\"muted\">(2 seeds)</span></td><td>+25.00</td>"
                + "<td>[+0.00, +50.00]</td><td>4</td></tr>"), section);
        assertTrue(section.contains("<tr><td>all</td><td>37.50 ± 17.68 <span class=\"muted\">(2 seeds)</span></td><td>+0.00</td>"
                + "<td>[+0.00, +0.00]</td><td>4</td></tr>"), section);
        assertFalse(section.contains("toolalpaca"), section);
    }

    @Test
    void withoutABaseRunOrAnotherRunBesideItThereIsNoTable() throws Exception {
        Path runs = tmp.resolve("runs");
        writeRun(runs.resolve("tt-si"), "toolshift", "tt-si", 0.95, seeds("tt-si", new boolean[][] {{T, T, F, F}}));
        writeRun(runs.resolve("sft"), "toolshift", "base", 0.95, seeds("base", new boolean[][] {{T, F, F, F}}));
        // A benchmark with only its base run: nothing to compare, no table either.
        writeRun(runs.resolve("alpaca-base"), "toolalpaca", "base", 0.95, Map.of(0L, List.of(line("toolalpaca", "base", 0, 0, 0.5, 0.95, false, true))));
        Report report = Report.of(RunLoader.load(List.of(runs)));
        assertFalse(report.hasDeltaTable());
        assertEquals("", report.deltaMarkdown());
        assertFalse(report.markdown().contains("Δ vs base (95% CI"));
        assertFalse(report.html().contains("id=\"delta\""));
        assertFalse(report.html().contains("href=\"#delta\""));
    }
}
