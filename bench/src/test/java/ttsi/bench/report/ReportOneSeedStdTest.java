package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportDeltaTableTest.F;
import static ttsi.bench.report.ReportDeltaTableTest.T;
import static ttsi.bench.report.ReportDeltaTableTest.seeds;
import static ttsi.bench.report.ReportFixtures.writeRun;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;

/** A std over one seed is undefined: report.md and report.html say n/a, and still mean ± std for two seeds. */
class ReportOneSeedStdTest {
    @TempDir
    Path tmp;

    @Test
    void oneSeedShowsNaAndTwoSeedsShowMeanAndSampleStd() throws Exception {
        Path runs = tmp.resolve("runs");
        // Base: one seed, 3 of 4 correct = 75%.
        Path base = writeRun(runs.resolve("base"), "toolshift", "base", 0.95, seeds("base", new boolean[][] {{T, F, T, T}}));
        // tt-si: seeds 3/4 = 75% and 1/4 = 25%: mean 50, sample std sqrt((25² + 25²) / 1) = 35.355… → 35.36.
        // Per sample, its mean over seeds minus the base's: .5 − 1, 1 − 0, .5 − 1, 0 − 1 → Δ = −1/4 = −25 points.
        writeRun(runs.resolve("tt-si"), "toolshift", "tt-si", 0.95, seeds("tt-si", new boolean[][] {{T, T, T, F}, {F, T, F, F}}));
        Report report = Report.of(RunLoader.load(List.of(runs)));
        assertEquals(1, report.runs().get(0).accuracy().n());
        assertTrue(Double.isNaN(report.runs().get(0).accuracy().std()), "std of one seed is undefined");
        assertEquals(Math.sqrt(2 * 0.25 * 0.25), report.runs().get(1).accuracy().std(), 1e-12);

        String md = report.markdown();
        // Accuracy table: method, mean ± std, per seed, samples, uncertain (margins 0.5 < τ 0.95), adapted, Δ, paper (none).
        assertTrue(md.contains("\n| base | 75.00 ± n/a (1 seed) | 0: 75.00 | 4 | 100.00 | 0.00 | – | – | – |\n"), md);
        assertTrue(md.contains("\n| tt-si | 50.00 ± 35.36 (2 seeds) | 0: 75.00, 1: 25.00 | 4 | 100.00 | 0.00 | -25.00 | – | – |\n"), md);
        // Δ-vs-base section.
        assertTrue(md.contains("Base run: `" + base + "`, accuracy 75.00 ± n/a % (1 seed).\n"), md);
        assertTrue(md.contains("\n| tt-si | 50.00 ± 35.36 (2 seeds) | -25.00 | ["), md);
        assertTrue(md.contains("with a single seed the std is n/a (undefined, not 0)."), "the accuracy explanation says so");
        assertFalse(md.contains("± 0.00"), md);

        String html = report.html();
        assertTrue(html.contains("<tr><td>base</td><td>75.00 ± n/a <span class=\"muted\">(1 seed)</span></td><td>0: 75.00</td><td>4</td>"
                + "<td>100.00</td><td>0.00</td><td>–</td><td>–</td><td>–</td></tr>"), html);
        assertTrue(html.contains("<tr><td>tt-si</td><td>50.00 ± 35.36 <span class=\"muted\">(2 seeds)</span></td><td>0: 75.00, 1: 25.00</td><td>4</td>"
                + "<td>100.00</td><td>0.00</td><td>-25.00</td><td>–</td><td>–</td></tr>"), html);
        assertTrue(html.contains("<p>Base run: <code>" + Fmt.html(base.toString()) + "</code>, accuracy 75.00 ± n/a % (1 seed).</p>"), html);
        assertTrue(html.contains("<tr><td>tt-si</td><td>50.00 ± 35.36 <span class=\"muted\">(2 seeds)</span></td><td>-25.00</td>"), html);
        assertFalse(html.contains("± 0.00"), "no zero std anywhere on the page");

        // The chart's labels carry the same text; its std is 0 for one seed (no whisker is drawn for 0).
        int at = html.indexOf("id=\"report-data\">") + "id=\"report-data\">".length();
        JsonNode chart = Json.MAPPER.readTree(html.substring(at, html.indexOf("</script>", at))).get("accuracy").get(0);
        assertEquals("[[\"base\",\"75.00 ± n/a\"],[\"tt-si\",\"50.00 ± 35.36\"]]", chart.get("labels").toString());
        assertEquals(0, chart.get("std").get(0).asDouble());
        assertEquals(100 * Math.sqrt(2 * 0.25 * 0.25), chart.get("std").get(1).asDouble(), 1e-9);
        assertEquals("[1,2]", chart.get("seeds").toString());
    }
}
