package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportFixtures.line;
import static ttsi.bench.report.ReportFixtures.writeRun;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warnings in the Problems section of report.md and report.html: a method that adapts at test time adapted none of
 * the samples it selected, or every answer of a run is unparsable.
 */
class ReportWarningsTest {
    static final double TAU = 0.95;

    @TempDir
    Path tmp;

    /** A line whose synthesis produced no valid pair: pairs empty, these rejections, one attempt each, not adapted. */
    static ObjectNode rejected(ObjectNode line, String... rejections) {
        line.put("adapted", false);
        ObjectNode sy = line.putObject("synthesis");
        sy.putArray("pairs");
        ArrayNode raw = sy.putArray("raw"), rej = sy.putArray("rejections");
        for (String r : rejections) {
            rej.add(r);
            if (r.startsWith("attempt")) raw.add("[{\"query\": \"?\"}]");
        }
        sy.put("attempts", (int) java.util.Arrays.stream(rejections).filter(r -> r.startsWith("attempt")).count());
        line.putArray("train_losses");
        return line;
    }

    /** A line whose final answer could not be parsed. */
    static ObjectNode unparsable(ObjectNode line, String error) {
        line.put("parse_error", error);
        line.putArray("calls");
        line.put("correct", false);
        line.put("final_correct", false);
        line.put("any_correct", false);
        return line;
    }

    /** A tt-si-like run: per seed, two uncertain samples (margins 0.1, 0.4) whose synthesis was all rejected and one certain (0.97). */
    static Map<Long, List<ObjectNode>> allRejected(String method, int seeds) {
        Map<Long, List<ObjectNode>> m = new LinkedHashMap<>();
        for (long s = 0; s < seeds; s++) {
            List<ObjectNode> ls = new ArrayList<>();
            ls.add(rejected(line("toolshift", method, s, 0, 0.1, TAU, false, false), "attempt 1: answer has no call", "attempt 2: the query repeats the input"));
            ls.add(rejected(line("toolshift", method, s, 1, 0.4, TAU, false, true), "attempt 1: unknown tool 'getC'", "attempt 2: answer has no call"));
            ls.add(line("toolshift", method, s, 2, 0.97, TAU, false, true));
            m.put(s, ls);
        }
        return m;
    }

    static String problemsSection(String html) {
        int at = html.indexOf("<section id=\"problems\"");
        assertTrue(at >= 0, "a Problems section");
        return html.substring(at, html.indexOf("</section>", at));
    }

    @Test
    void ttSiThatAdaptedNoneOfItsUncertainSamplesIsWarnedAboutWithCountsAndCause() throws Exception {
        Path dir = writeRun(tmp.resolve("runs/ttsi"), "toolshift", "tt-si", TAU, allRejected("tt-si", 2));
        Report report = Report.of(RunLoader.load(List.of(dir)));
        String reason = "toolshift / tt-si adapted none of its 4 selected samples (0 of 4 adapted; selected: uncertain, margin below τ = 0.95),"
                + " so it answered like the unadapted model. Cause: no valid synthetic pair for 4 of 4 (every generated pair was rejected on 4:"
                + " 8 rejections in 8 attempts, e.g. \"attempt 1: answer has no call\").";
        assertEquals(List.of(new Problem(dir, reason)), report.warnings());
        assertEquals(List.of(), report.problems(), "the files themselves are fine");

        String md = report.markdown();
        assertTrue(md.contains("## Problems\n\n### Warnings\n\n" + Explain.WARNINGS + "\n\n- `" + dir + "`: " + reason + "\n"), md);
        assertFalse(md.contains("These files could not be (fully) used"), "no file problems to introduce");
        assertTrue(md.indexOf("## Problems") < md.indexOf("## Accuracy"), "before the numbers");

        String html = report.html();
        assertTrue(html.contains("<a href=\"#problems\">Problems</a>"), "in the page's navigation");
        String section = problemsSection(html);
        assertTrue(section.contains("<h3 id=\"warnings\">Warnings</h3>"), section);
        assertTrue(section.contains("<li><code>" + Fmt.html(dir.toString()) + "</code>: toolshift / tt-si adapted none of its 4 selected samples"
                + " (0 of 4 adapted; selected: uncertain, margin below τ = 0.95), so it answered like the unadapted model. Cause: no valid synthetic"
                + " pair for 4 of 4 (every generated pair was rejected on 4: 8 rejections in 8 attempts, e.g. &quot;attempt 1: answer has no call&quot;).</li>"),
                section);
    }

    @Test
    void uncertainRowsWithoutSynthesisOrAdaptationAreWarnedAboutToo() throws Exception {
        // The fixture's unselected lines: uncertain (margin < τ), "synthesis": null, "adapted": false.
        Path dir = writeRun(tmp.resolve("ttsi"), "toolshift", "tt-si", TAU, Map.of(0L, List.of(line("toolshift", "tt-si", 0, 0, 0.2, TAU, false, true),
                line("toolshift", "tt-si", 0, 1, 0.5, TAU, false, false), line("toolshift", "tt-si", 0, 2, 0.99, TAU, false, true))));
        Report report = Report.of(RunLoader.load(List.of(dir)));
        assertEquals(List.of(new Problem(dir, "toolshift / tt-si adapted none of its 2 selected samples (0 of 2 adapted; selected: uncertain,"
                + " margin below τ = 0.95), so it answered like the unadapted model. Cause: no synthesis recorded for 2 of 2.")), report.warnings());
    }

    @Test
    void teacherFailuresAreNamedAsTheCause() throws Exception {
        Path dir = writeRun(tmp.resolve("ttd"), "toolshift", "tt-d", TAU, Map.of(3L, List.of(
                rejected(line("toolshift", "tt-d", 3, 0, 0.1, TAU, false, false), "teacher failed: connection refused"),
                rejected(line("toolshift", "tt-d", 3, 1, 0.2, TAU, false, false), "teacher failed: HTTP 500"),
                rejected(line("toolshift", "tt-d", 3, 2, 0.3, TAU, false, true), "attempt 1: no JSON list or object in the output"))));
        Report report = Report.of(RunLoader.load(List.of(dir)));
        String reason = "toolshift / tt-d adapted none of its 3 selected samples (0 of 3 adapted; selected: uncertain, margin below τ = 0.95),"
                + " so it answered like the unadapted model. Cause: no valid synthetic pair for 3 of 3 (the teacher failed on 2, e.g."
                + " \"teacher failed: connection refused\"; every generated pair was rejected on 1: 1 rejection in 1 attempt, e.g."
                + " \"attempt 1: no JSON list or object in the output\").";
        assertEquals(List.of(new Problem(dir, reason)), report.warnings());
        assertTrue(report.markdown().contains("- `" + dir + "`: " + reason + "\n"));
    }

    @Test
    void noWarningWhenOneSampleWasAdaptedOrForTheBaseMethod() throws Exception {
        Path runs = tmp.resolve("runs");
        // tt-si: as above, but seed 1's first uncertain sample was adapted (one pair, one train loss).
        Map<Long, List<ObjectNode>> one = allRejected("tt-si", 2);
        one.get(1L).set(0, line("toolshift", "tt-si", 1, 0, 0.1, TAU, true, true));
        writeRun(runs.resolve("ttsi"), "toolshift", "tt-si", TAU, one);
        // base: every sample uncertain (margins < τ), none adapted, as a base run is.
        writeRun(runs.resolve("base"), "toolshift", "base", TAU, Map.of(0L, List.of(line("toolshift", "base", 0, 0, 0.1, TAU, false, true),
                line("toolshift", "base", 0, 1, 0.4, TAU, false, false))));
        // tt-si-icl trains nothing: a sample with a valid synthetic pair is used (as a demonstration) although "adapted" is false.
        ObjectNode icl = line("toolshift", "tt-si-icl", 0, 0, 0.1, TAU, true, true);
        icl.put("adapted", false);
        icl.putArray("train_losses");
        writeRun(runs.resolve("ttsi-icl"), "toolshift", "tt-si-icl", TAU, Map.of(0L, List.of(icl,
                rejected(line("toolshift", "tt-si-icl", 0, 1, 0.3, TAU, false, false), "attempt 1: answer has no call"))));
        Report report = Report.of(RunLoader.load(List.of(runs)));
        assertEquals(3, report.runs().size());
        assertEquals(List.of(), report.warnings());
        assertFalse(report.hasProblemsSection());
        String md = report.markdown();
        assertFalse(md.contains("## Problems") || md.contains("### Warnings"), md);
        String html = report.html();
        assertFalse(html.contains("id=\"problems\"") || html.contains("href=\"#problems\""), "no Problems section or link");
    }

    @Test
    void ttSiIclThatGotNoValidPairIsWarnedAbout() throws Exception {
        Path dir = writeRun(tmp.resolve("icl"), "toolshift", "tt-si-icl", TAU, Map.of(0L, List.of(
                rejected(line("toolshift", "tt-si-icl", 0, 0, 0.1, TAU, false, true), "attempt 1: answer has no call"),
                rejected(line("toolshift", "tt-si-icl", 0, 1, 0.3, TAU, false, false), "attempt 1: the query repeats the input"),
                line("toolshift", "tt-si-icl", 0, 2, 0.98, TAU, false, true))));
        Report report = Report.of(RunLoader.load(List.of(dir)));
        assertEquals(List.of(new Problem(dir, "toolshift / tt-si-icl used no synthetic demonstrations: 0 of its 2 selected samples got a valid"
                + " synthetic pair (selected: uncertain, margin below τ = 0.95), so it answered like the unadapted model. Cause: no valid synthetic"
                + " pair for 2 of 2 (every generated pair was rejected on 2: 2 rejections in 2 attempts, e.g. \"attempt 1: answer has no call\").")),
                report.warnings());
    }

    @Test
    void aRunWhoseEveryAnswerIsUnparsableIsWarnedAboutAndOneWithAParsedAnswerIsNot() throws Exception {
        Path runs = tmp.resolve("runs");
        Map<Long, List<ObjectNode>> all = new LinkedHashMap<>(), most = new LinkedHashMap<>();
        for (long s = 0; s < 2; s++) {
            all.put(s, List.of(unparsable(line("toolshift", "base", s, 0, 0.99, TAU, false, true), "no tool call in the output"),
                    unparsable(line("toolshift", "base", s, 1, 0.99, TAU, false, true), "unbalanced brackets")));
            // The same, but seed 1's second answer parsed.
            most.put(s, List.of(unparsable(line("toolshift", "base", s, 0, 0.99, TAU, false, true), "no tool call in the output"),
                    s == 1 ? line("toolshift", "base", s, 1, 0.99, TAU, false, true) : unparsable(line("toolshift", "base", s, 1, 0.99, TAU, false, true), "x")));
        }
        Path bad = writeRun(runs.resolve("a-unparsable"), "toolshift", "base", TAU, all);
        writeRun(runs.resolve("b-mostly"), "toolshift", "base", TAU, most);
        Report report = Report.of(RunLoader.load(List.of(runs)));
        String reason = "toolshift / base (a-unparsable): every answer is unparsable: all 4 result lines (2 seeds) have a parse_error,"
                + " e.g. \"no tool call in the output\".";
        assertEquals(List.of(new Problem(bad, reason)), report.warnings());
        // Markdown escapes the underscore of parse_error.
        assertTrue(report.markdown().contains("### Warnings\n\n" + Explain.WARNINGS + "\n\n- `" + bad + "`: toolshift / base (a-unparsable): every"
                + " answer is unparsable: all 4 result lines (2 seeds) have a parse\\_error, e.g. \"no tool call in the output\".\n\n"), report.markdown());
        assertTrue(problemsSection(report.html()).contains("<li><code>" + Fmt.html(bad.toString()) + "</code>: toolshift / base (a-unparsable): every"
                + " answer is unparsable: all 4 result lines (2 seeds) have a parse_error, e.g. &quot;no tool call in the output&quot;.</li>"));
    }

    @Test
    void fileProblemsAndWarningsShareTheProblemsSection() throws Exception {
        Path dir = writeRun(tmp.resolve("ttsi"), "toolshift", "tt-si", TAU, allRejected("tt-si", 1));
        java.nio.file.Files.writeString(dir.resolve("results-seed-0.jsonl"), "{not json\n", java.nio.file.StandardOpenOption.APPEND);
        Report report = Report.of(RunLoader.load(List.of(dir)));
        assertEquals(1, report.problems().size());
        assertEquals(1, report.warnings().size());
        String md = report.markdown();
        int problems = md.indexOf("## Problems\n\nThese files could not be (fully) used; everything else is reported.\n\n- `");
        assertTrue(problems >= 0, md);
        assertTrue(md.indexOf("### Warnings", problems) > problems, "warnings after the file problems");
        assertEquals(md.indexOf("## Problems"), md.lastIndexOf("## Problems"), "one section");
        String section = problemsSection(report.html());
        assertTrue(section.contains("These files could not be (fully) used") && section.contains("<h3 id=\"warnings\">Warnings</h3>"), section);
    }
}
