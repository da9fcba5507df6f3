package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportFixtures.line;
import static ttsi.bench.report.ReportFixtures.writeRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;

/**
 * Loads report.html in headless Chromium: the scripts run without errors, every chart is built, and the charts hold
 * the runs' numbers. Skips when no Chromium is installed (.ci/run installs Debian's chromium).
 * -Dttsi.report.screenshot=FILE.png also saves a screenshot of the page.
 */
class ReportHtmlChromiumTest {
    static final double[] MARGINS = {0.05, 0.3, 0.6, 0.97};

    @TempDir
    Path tmp;

    static Path chromium() {
        List<String> names = new ArrayList<>();
        if (System.getenv("CHROMIUM") != null) names.add(System.getenv("CHROMIUM"));
        names.addAll(List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"));
        for (String n : names) {
            Path p = Path.of(n);
            if (p.isAbsolute() && Files.isExecutable(p)) return p;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path q = Path.of(dir, n);
                if (!dir.isEmpty() && Files.isExecutable(q)) return q;
            }
        }
        return null;
    }

    /** Runs headless Chromium on a page; returns {stdout, stderr}, or skips when the browser itself does not work. */
    static String[] browse(Path browser, Path tmp, List<String> extra, Path page) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "profile"), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"));
        cmd.addAll(extra);
        cmd.add(page.toUri().toString());
        Path out = tmp.resolve("chromium.out"), err = tmp.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assumptions.abort("headless Chromium did not finish in 60 s; skipping: " + tail(err));
        }
        String stdout = Files.readString(out), stderr = Files.readString(err);
        Assumptions.assumeTrue(p.exitValue() == 0 || !stdout.isBlank(), "headless Chromium failed (exit " + p.exitValue() + "); skipping: " + tail(err));
        return new String[] {stdout, stderr};
    }

    static String tail(Path f) throws java.io.IOException {
        String s = Files.exists(f) ? Files.readString(f) : "";
        return s.length() > 600 ? s.substring(s.length() - 600) : s;
    }

    static Map<Long, List<ObjectNode>> seeds(String bench, String method, double tau, boolean[][] correct) {
        Map<Long, List<ObjectNode>> m = new LinkedHashMap<>();
        for (int s = 0; s < correct.length; s++) {
            List<ObjectNode> ls = new ArrayList<>();
            for (int i = 0; i < correct[s].length; i++) {
                double margin = MARGINS[i];
                boolean sel = method.equals("all") || (method.equals("tt-si") && margin < tau);
                ls.add(line(bench, method, s, i, margin, tau, sel, correct[s][i], 0.2, sel ? 1.5 : 0, sel ? 2.5 : 0, 0.8, sel ? 5.2 : 1.1));
            }
            m.put((long) s, ls);
        }
        return m;
    }

    @Test
    void pageRendersEveryChartWithTheRunsNumbersAndNoScriptErrors() throws Exception {
        Path browser = chromium();
        Assumptions.assumeTrue(browser != null, "no chromium on the PATH (apt-get install -y chromium); skipping the browser test");
        Path runs = tmp.resolve("runs");
        writeRun(runs.resolve("base"), "sealtool", "base", 0.95, seeds("sealtool", "base", 0.95, new boolean[][] {{true, false, false, false}, {true, true, false, false}}));
        writeRun(runs.resolve("all"), "sealtool", "all", 0.95, seeds("sealtool", "all", 0.95, new boolean[][] {{true, true, true, false}, {true, true, true, true}}));
        writeRun(runs.resolve("ttsi"), "sealtool", "tt-si", 0.5, seeds("sealtool", "tt-si", 0.5, new boolean[][] {{true, true, false, false}, {false, true, false, false}}));
        writeRun(runs.resolve("alpaca"), "toolalpaca", "base", 0.95, seeds("toolalpaca", "base", 0.95, new boolean[][] {{true, false, true, false}}));
        Files.writeString(runs.resolve("ttsi/results-seed-1.jsonl"), "{torn", java.nio.file.StandardOpenOption.APPEND);
        Report report = Report.of(RunLoader.load(List.of(runs)));
        Path out = tmp.resolve("out");
        report.write(out);
        Path page = out.resolve("report.html");

        long t0 = System.nanoTime();
        String[] res = browse(browser, tmp, List.of("--dump-dom"), page);
        String dom = res[0], log = res[1];
        Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
        assertTrue(body.find(), "a body in the DOM");
        assertFalse(body.group(1).contains("data-error"), "script error: " + body.group(1));
        assertTrue(body.group(1).contains("data-ok=\"true\""), "charts built: " + body.group(1) + "\n" + log);
        for (String l : log.lines().toList()) {
            assertFalse(l.contains("Uncaught") || l.contains("CONSOLE"), "the page logs nothing; console: " + l);
        }
        Matcher canvas = Pattern.compile("<canvas id=\"([^\"]+)\"([^>]*)>").matcher(dom);
        int canvases = 0;
        while (canvas.find()) {
            canvases++;
            Matcher w = Pattern.compile(" width=\"(\\d+)\"").matcher(canvas.group(2)), h = Pattern.compile(" height=\"(\\d+)\"").matcher(canvas.group(2));
            assertTrue(w.find() && h.find() && Integer.parseInt(w.group(1)) > 0 && Integer.parseInt(h.group(1)) > 0, "drawn: " + canvas.group());
        }
        assertEquals(11, canvases);
        Matcher st = Pattern.compile("<pre id=\"chart-state\"[^>]*>(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(st.find(), "chart state written");
        JsonNode charts = Json.MAPPER.readTree(st.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&"));
        // 2 accuracy charts (sealtool, toolalpaca), 4 histograms, 4 sweeps, 1 time chart.
        assertEquals(11, charts.size(), charts.toString());
        assertTrue(body.group(1).contains("data-charts=\"11\""));

        // Accuracy: base 25/50, tt-si 50/25, all 75/100 (%), in method order; paper beside (SealTool only).
        JsonNode acc = charts.get("acc-0");
        assertEquals("[\"base\",\"37.50 ± 17.68\"]", acc.get("labels").get(0).toString());
        assertSeries(acc.get("datasets").get(0).get("data"), 37.5, 37.5, 87.5);
        assertTrue(acc.get("datasets").get(1).get("label").asText().contains("paper, Qwen2.5-1.5B-Instruct"));
        assertSeries(acc.get("datasets").get(1).get("data"), 66.37, 72.43, 73.47);
        assertSeries(charts.get("acc-1").get("datasets").get(0).get("data"), 50);
        assertEquals("[\"base\",\"50.00 ± n/a\"]", charts.get("acc-1").get("labels").get(0).toString(), "one seed: no std");
        assertEquals(1, charts.get("acc-1").get("datasets").size(), "no paper accuracy for ToolAlpaca");

        // Histogram of the base run: margins 0.05, 0.3, 0.6, 0.97 over both seeds.
        JsonNode hist = charts.get("hist-0").get("datasets");
        assertEquals("correct", hist.get(0).get("label").asText());
        assertSeries(hist.get(0).get("data"), 2, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        assertSeries(hist.get(1).get("data"), 0, 0, 0, 1, 0, 0, 2, 0, 0, 2);

        // Sweep of the all run at τ = 0.5: selected 50%, simulated = all-run verdicts below (4 ✓) + base verdicts above (4 ✗).
        JsonNode sweep = charts.get("sweep-2");
        int at = -1;
        for (int i = 0; i < sweep.get("labels").size(); i++) if (sweep.get("labels").get(i).asText().equals("0.50")) at = i;
        assertTrue(at >= 0);
        Map<String, JsonNode> sets = new LinkedHashMap<>();
        for (JsonNode d : sweep.get("datasets")) sets.put(d.get("label").asText(), d.get("data"));
        assertEquals(50, sets.get("selected % (margin < τ)").get(at).asDouble(), 1e-9);
        assertEquals(50, sets.get("simulated: adapt only margin < τ, %").get(at).asDouble(), 1e-9);
        assertEquals(100, sets.get("accuracy of selected %").get(at).asDouble(), 1e-9);
        assertNotNull(sets.get("paper: TT-SI accuracy (Qwen2.5-1.5B-Instruct)"));

        // Stages: the report's own means, drawn stacked.
        JsonNode stages = charts.get("chart-stages");
        assertEquals(4, stages.get("labels").size());
        for (JsonNode d : stages.get("datasets")) {
            for (int i = 0; i < 4; i++) {
                assertEquals(report.runs().get(i).stages().meanSeconds().get(d.get("label").asText()), d.get("data").get(i).asDouble(), 1e-9);
            }
        }
        assertEquals(2.5, stages.get("datasets").get(2).get("data").get(2).asDouble(), 1e-9, "the all run trains 2.5 s per sample");

        // The page lists the torn line as a problem.
        assertTrue(dom.contains("line 5: incomplete (a torn last line"), "problem shown");
        System.out.printf("headless Chromium: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        String shot = System.getProperty("ttsi.report.screenshot");
        if (shot != null && !shot.isBlank()) {
            browse(browser, tmp, List.of("--hide-scrollbars", "--window-size=1400,3000", "--screenshot=" + Path.of(shot).toAbsolutePath()), page);
            Files.copy(page, Path.of(shot).resolveSibling("report-fixture.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void assertSeries(JsonNode data, double... expected) {
        assertEquals(expected.length, data.size(), data.toString());
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], data.get(i).asDouble(), 1e-9, "item " + i + " of " + data);
    }
}
