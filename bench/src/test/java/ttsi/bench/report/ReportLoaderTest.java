package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportFixtures.line;
import static ttsi.bench.report.ReportFixtures.writeRun;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading run directories: damaged and missing files become problems; grouping; escaping. */
class ReportLoaderTest {
    @TempDir
    Path tmp;

    static List<ObjectNode> seedLines(String bench, String method, long seed, double tau, boolean adaptAll, boolean... correct) {
        List<ObjectNode> out = new ArrayList<>();
        double[] margins = {0.05, 0.4, 0.97};
        for (int i = 0; i < correct.length; i++) {
            double m = margins[i % margins.length];
            out.add(line(bench, method, seed, i, m, tau, adaptAll || (method.equals("tt-si") && m < tau), correct[i], 0.1, 0.5, 0.7, 0.2, 1.6));
        }
        return out;
    }

    @Test
    void damagedAndMissingFilesAreProblemsWithPathAndReasonAndTheRestIsRead() throws Exception {
        Path good = writeRun(tmp.resolve("good"), "sealtool", "base", 0.95,
                Map.of(0L, seedLines("sealtool", "base", 0, 0.95, false, true, false, true)));
        Path bad = writeRun(tmp.resolve("bad"), "sealtool", "tt-si", 0.95,
                Map.of(0L, seedLines("sealtool", "tt-si", 0, 0.95, false, true, true, false)));
        Path f = bad.resolve("results-seed-0.jsonl");
        List<String> ls = new ArrayList<>(Files.readAllLines(f));
        ls.add(1, "{not json");
        ls.add(2, "{\"id\": \"x\"}");
        ls.add(ls.get(0)); // a duplicate
        Files.writeString(f, String.join("\n", ls) + "\n" + ls.get(0).substring(0, 30)); // torn last line
        Files.writeString(bad.resolve("summary.json"), "{\"samples\": ");
        Path noRunJson = writeRun(tmp.resolve("norunjson"), "toolalpaca", "tt-si", 0.95,
                Map.of(1L, seedLines("toolalpaca", "tt-si", 1, 0.95, false, true)));
        Files.delete(noRunJson.resolve("run.json"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        RunLoader.Loaded loaded = RunLoader.load(List.of(good, bad, noRunJson, empty, tmp.resolve("nowhere")));
        assertEquals(3, loaded.runs().size());
        String problems = String.join("\n", loaded.problems().stream().map(Problem::toString).toList());
        assertTrue(problems.contains(f + ": line 2: not valid JSON ("), problems);
        assertTrue(problems.contains(f + ": line 3: \"correct\" is missing"), problems);
        assertTrue(problems.contains(f + ": line 6: sample sealtool_0 appears again; the first is used"), problems);
        assertTrue(problems.contains(f + ": line 7: incomplete (a torn last line"), problems);
        assertTrue(problems.contains(bad.resolve("summary.json") + ": not valid JSON ("), problems);
        assertTrue(problems.contains(noRunJson.resolve("run.json") + ": missing; benchmark and method are taken from the result lines"), problems);
        assertTrue(problems.contains(empty + ": not a run directory"), problems);
        assertTrue(problems.contains(tmp.resolve("nowhere") + ": no such file or directory"), problems);
        RunData b = loaded.runs().get(1);
        assertEquals(3, b.lines().size(), "the three good lines of the damaged file");
        RunData n = loaded.runs().get(2);
        assertEquals("toolalpaca", n.benchmark());
        assertEquals("tt-si", n.method());

        Report report = Report.of(loaded);
        String md = report.markdown();
        assertTrue(md.contains("## Problems"));
        assertTrue(md.contains("`" + f + "`: line 2: not valid JSON"), md);
        assertFalse(md.contains("Exception") || md.contains("\tat "), "no stack traces");
        assertTrue(report.html().contains("line 7: incomplete (a torn last line"));
    }

    @Test
    void aFolderOfRunsIsExpandedAndRunsAreGroupedByBenchmarkInMethodOrder() throws Exception {
        Path runs = tmp.resolve("runs");
        writeRun(runs.resolve("a-ttsi-seal"), "sealtool", "tt-si", 0.95, Map.of(0L, seedLines("sealtool", "tt-si", 0, 0.95, false, true, true)));
        writeRun(runs.resolve("b-base-alpaca"), "toolalpaca", "base", 0.95, Map.of(0L, seedLines("toolalpaca", "base", 0, 0.95, false, false)));
        writeRun(runs.resolve("c-base-seal"), "sealtool", "base", 0.95, Map.of(0L, seedLines("sealtool", "base", 0, 0.95, false, true, false)));
        writeRun(runs.resolve("d-ttsi-seal"), "sealtool", "tt-si", 0.5, Map.of(0L, seedLines("sealtool", "tt-si", 0, 0.5, false, false, false)));
        Report report = Report.of(RunLoader.load(List.of(runs)));
        assertEquals(List.of("sealtool", "toolalpaca"), report.groups().stream().map(Report.Group::benchmark).toList());
        assertEquals(List.of("base", "tt-si (a-ttsi-seal)", "tt-si (d-ttsi-seal)"),
                report.groups().getFirst().runs().stream().map(Report.RunView::label).toList());
        Report.RunView ttsi = report.groups().getFirst().runs().get(1);
        assertEquals(0.5, ttsi.deltaVsBase(report), 1e-12, "100% vs 50%");
        String md = report.markdown();
        assertTrue(md.contains("| tt-si (a-ttsi-seal) | 100.00 ± n/a (1 seed) |"), md);
        assertFalse(md.contains("± 0.00"), "one seed has no std");
        assertTrue(md.contains("| +50.00 | 72.43 | +5.76 (Fig. 1; Table 2: 72.43 − 66.37 = +6.06) |"), md);
        assertTrue(md.contains("### toolalpaca (paper: ToolAlpaca)"), md);
    }

    @Test
    void everyTextFromARunIsEscaped() throws Exception {
        List<ObjectNode> ls = seedLines("sealtool", "base", 0, 0.95, false, false, true);
        ls.get(0).put("id", "<img src=x onerror=alert(1)>");
        ls.get(0).put("reason", "</script><script>alert(2)</script>");
        ls.get(0).withArray("outputs").set(0, com.fasterxml.jackson.databind.node.TextNode.valueOf("<b>bold</b> & \"quotes\""));
        Path dir = writeRun(tmp.resolve("x<y>"), "sealtool", "base", 0.95, Map.of(0L, ls));
        Report report = Report.of(RunLoader.load(List.of(dir)));
        String html = report.html();
        assertFalse(html.contains("<img src=x"), "id escaped");
        assertFalse(html.contains("<script>alert(2)"), "reason escaped");
        assertFalse(html.contains("<b>bold</b>"), "outputs escaped");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assertTrue(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;"));
        assertTrue(html.contains("x&lt;y&gt;"));
        int data = html.indexOf("id=\"report-data\">");
        String json = html.substring(data + 17, html.indexOf("</script>", data));
        assertFalse(json.contains("<") || json.contains(">"), "chart data cannot close its script element");
        String md = report.markdown();
        assertFalse(md.contains("<img src=x"), md);
        assertFalse(md.contains("</script>"), md);
    }
}
