package ttsi.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import ttsi.agent.json.Json;

/**
 * report.html: one self-contained page (Chart.js, the chart data and the page script inlined). Every text from the
 * runs is escaped; the chart data travels as a JSON block that the page script reads. After building the charts
 * the page sets {@code data-ok="true"} on body and writes each chart's labels and datasets into #chart-state (for
 * tests); a script error lands in body's {@code data-error}.
 */
final class HtmlReport {
    private final Report r;
    private final StringBuilder b = new StringBuilder(1 << 16);
    private final ObjectNode data = Json.object();

    HtmlReport(Report r) {
        this.r = r;
    }

    static String anchor(Report.RunView v, int position) {
        return "s-" + v.index() + "-" + position;
    }

    String render() {
        StringBuilder body = b;
        body.append("<header><h1>ttsi report</h1><p>Generated ").append(esc(r.generated().toString())).append(" from ")
                .append(r.runs().size()).append(" run(s).</p>\n<nav>");
        for (String[] s : new String[][] {{"runs", "Runs"}, {"problems", "Problems"}, {"accuracy", "Accuracy"}, {"delta", "Δ vs base"}, {"paper", "Published numbers"},
                {"margins", "Uncertainty"}, {"sweep", "τ sweep"}, {"stages", "Time per stage"}, {"samples", "Samples"}}) {
            if (s[0].equals("problems") && !r.hasProblemsSection()) continue;
            if (s[0].equals("delta") && !r.hasDeltaTable()) continue;
            body.append("<a href=\"#").append(s[0]).append("\">").append(s[1]).append("</a>");
        }
        body.append("</nav></header>\n<main>\n");
        runs();
        problems();
        accuracy();
        delta();
        paper();
        margins();
        sweeps();
        stages();
        samples();
        body.append("</main>\n<footer>Charts by Chart.js ").append("(MIT License, © Chart.js Contributors), inlined.</footer>\n");
        body.append("<pre id=\"chart-state\" hidden></pre>\n");

        StringBuilder page = new StringBuilder(body.length() + 300_000);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>ttsi report</title>\n<style>\n")
                .append(resource("report.css")).append("</style>\n</head>\n<body>\n").append(body)
                .append("<script>\n").append(chartJs()).append("\n</script>\n")
                .append("<script type=\"application/json\" id=\"report-data\">").append(scriptJson(data)).append("</script>\n")
                .append("<script>\n").append(resource("report.js")).append("</script>\n</body>\n</html>\n");
        return page.toString();
    }

    private void runs() {
        b.append("<section id=\"runs\"><h2>Runs</h2>\n<table><thead><tr><th>#</th><th>directory</th><th>benchmark</th><th>method</th><th>model</th>"
                + "<th>seeds</th><th>samples per seed</th><th>τ</th><th>inference</th><th>k</th><th>epochs</th><th>ttsi</th><th>started</th></tr></thead><tbody>\n");
        for (Report.RunView v : r.runs()) {
            RunData d = v.run();
            JsonNode c = d.config();
            tr(String.valueOf(v.index() + 1), "<code>" + esc(d.dir().toString()) + "</code>", esc(d.benchmark()), esc(d.method()), esc(d.model()),
                    esc(v.perSeed().keySet().stream().map(String::valueOf).collect(Collectors.joining(", "))), esc(counts(v)), Fmt.num(d.tau(), 2),
                    esc(d.inference()), esc(c.path("k").asText("–")), esc(c.path("epochs").asText("–")),
                    esc(d.provenance().path("ttsi_version").asText("–")), esc(d.provenance().path("started").asText("–")));
        }
        b.append("</tbody></table></section>\n");
    }

    private void problems() {
        if (!r.hasProblemsSection()) return;
        b.append("<section id=\"problems\" class=\"problems\"><h2>Problems</h2>");
        if (!r.problems().isEmpty()) {
            b.append("<p>These files could not be (fully) used; everything else is reported.</p><ul>\n");
            for (Problem p : r.problems()) item(p);
            b.append("</ul>");
        }
        if (!r.warnings().isEmpty()) {
            b.append("<h3 id=\"warnings\">Warnings</h3><p>").append(esc(Explain.WARNINGS)).append("</p><ul class=\"warnings\">\n");
            for (Problem p : r.warnings()) item(p);
            b.append("</ul>");
        }
        b.append("</section>\n");
    }

    private void item(Problem p) {
        b.append("<li><code>").append(esc(p.path().toString())).append("</code>: ").append(esc(p.reason())).append("</li>\n");
    }

    private void accuracy() {
        b.append("<section id=\"accuracy\"><h2>Accuracy</h2><p class=\"explain\">").append(esc(Explain.ACCURACY)).append("</p>\n");
        ArrayNode charts = data.putArray("accuracy");
        for (int gi = 0; gi < r.groups().size(); gi++) {
            Report.Group g = r.groups().get(gi);
            String pb = PaperNumbers.paperBenchmark(g.benchmark());
            b.append("<h3>").append(esc(g.benchmark())).append(pb == null ? "" : " <span class=\"muted\">(paper: " + esc(pb) + ")</span>").append("</h3>\n");
            b.append("<table><thead><tr><th>method</th><th>accuracy % (mean ± std)</th><th>per seed %</th><th>samples per seed</th><th>uncertain %</th>"
                    + "<th>adapted %</th><th>Δ vs our base</th><th class=\"paper\">").append(esc(PaperNumbers.LABEL)).append(": accuracy %</th><th class=\"paper\">")
                    .append(esc(PaperNumbers.LABEL)).append(": Δ vs base</th></tr></thead><tbody>\n");
            ObjectNode chart = charts.addObject();
            chart.put("id", "acc-" + gi);
            chart.put("title", g.benchmark() + ": accuracy % (mean ± std over seeds)");
            ArrayNode labels = chart.putArray("labels"), ours = chart.putArray("ours"), std = chart.putArray("std"), paper = chart.putArray("paper"),
                    seeds = chart.putArray("seeds");
            for (Report.RunView v : g.runs()) {
                RunData d = v.run();
                OptionalDouble pa = PaperNumbers.accuracy(d.benchmark(), d.method(), d.inference());
                String pg = PaperNumbers.gain(d.benchmark(), d.method(), d.inference());
                tr(esc(v.label()), Fmt.pm(v.accuracy()) + " <span class=\"muted\">(" + v.accuracy().n() + " seed" + (v.accuracy().n() == 1 ? "" : "s") + ")</span>",
                        esc(v.perSeed().entrySet().stream().map(e -> e.getKey() + ": " + Fmt.pct(e.getValue())).collect(Collectors.joining(", "))),
                        esc(counts(v)), Fmt.pct(v.uncertain()), Fmt.pct(v.adapted()), Fmt.signedPoints(v.deltaVsBase(r)),
                        pa.isPresent() ? Fmt.num(pa.getAsDouble(), 2) : "–", pg == null ? "–" : esc(pg));
                ArrayNode label = labels.addArray();
                label.add(v.label());
                label.add(Fmt.pm(v.accuracy()));
                num(ours, 100 * v.accuracy().mean());
                // One seed has no std; report.js needs a number here (its tooltip formats it) and draws no whisker for 0.
                num(std, v.accuracy().n() < 2 ? 0 : 100 * v.accuracy().std());
                if (pa.isPresent()) paper.add(pa.getAsDouble());
                else paper.addNull();
                seeds.add(v.accuracy().n());
            }
            b.append("</tbody></table>\n<p class=\"explain\">Scoring (as written in each run's summary.json and metrics-seed-*.json):</p><ul class=\"scoring\">\n");
            java.util.Set<String> rules = new java.util.LinkedHashSet<>();
            for (Report.RunView v : g.runs()) rules.add(v.run().scoring());
            if (rules.size() == 1 && g.runs().size() > 1) b.append("<li>every run: ").append(esc(rules.iterator().next())).append("</li>\n");
            else for (Report.RunView v : g.runs()) b.append("<li>").append(esc(v.label())).append(": ").append(esc(v.run().scoring())).append("</li>\n");
            b.append("</ul>\n");
            canvas("acc-" + gi, "wide");
        }
        b.append("<p class=\"explain\">").append(esc(Explain.PAPER_POINTER)).append("</p></section>\n");
    }

    private void delta() {
        if (!r.hasDeltaTable()) return;
        b.append("<section id=\"delta\"><h2>").append(esc(Explain.DELTA_TITLE)).append("</h2><p class=\"explain\">").append(esc(Explain.DELTA)).append("</p>\n");
        for (Report.Group g : r.groups()) {
            if (g.deltas().isEmpty()) continue;
            Report.RunView base = g.base();
            b.append("<h3>").append(esc(g.benchmark())).append("</h3>\n<p>Base run: <code>").append(esc(base.run().dir().toString()))
                    .append("</code>, accuracy ").append(Fmt.pm(base.accuracy())).append(" % (").append(base.accuracy().n())
                    .append(base.accuracy().n() == 1 ? " seed" : " seeds").append(").</p>\n");
            b.append("<table><thead><tr><th>run</th><th>accuracy % (mean ± std over seeds)</th><th>Δ vs base (points)</th>"
                    + "<th>95% CI (points)</th><th>n (paired samples)</th></tr></thead><tbody>\n");
            for (Report.DeltaRow d : g.deltas()) {
                PairedBootstrap.Result x = d.vsBase();
                int n = d.run().accuracy().n();
                tr(esc(d.run().label()), Fmt.pm(d.run().accuracy()) + " <span class=\"muted\">(" + n + " seed" + (n == 1 ? "" : "s") + ")</span>",
                        Fmt.signedPoints(x.delta()), Fmt.ci(x), esc(Fmt.pairedSamples(x)));
            }
            b.append("</tbody></table>\n");
        }
        b.append("</section>\n");
    }

    private void paper() {
        b.append("<section id=\"paper\"><h2>Published numbers <span class=\"paper-tag\">").append(esc(PaperNumbers.LABEL)).append("</span></h2>\n");
        b.append("<table><thead><tr><th>benchmark</th><th>setting</th><th>value</th><th>source</th></tr></thead><tbody>\n");
        for (PaperNumbers.Entry e : PaperNumbers.all()) tr(esc(e.benchmark()), esc(e.setting()), esc(e.value()), esc(e.source()));
        b.append("</tbody></table><p class=\"explain\">From shared/research/paper.md §6. ").append(esc(Explain.PAPER)).append("</p></section>\n");
    }

    private void margins() {
        b.append("<section id=\"margins\"><h2>Uncertainty (margin) of correct and incorrect samples</h2><p class=\"explain\">")
                .append(esc(Explain.MARGIN)).append("</p>\n<div class=\"charts\">\n");
        ArrayNode charts = data.putArray("histograms");
        for (Report.RunView v : r.runs()) {
            Stats.Histogram h = v.histogram();
            ObjectNode c = charts.addObject();
            String id = "hist-" + v.index();
            c.put("id", id);
            c.put("title", v.run().benchmark() + " / " + v.label() + ": margin of correct vs incorrect samples"
                    + (h.withoutMargin() > 0 ? " (" + h.withoutMargin() + " without margin left out)" : ""));
            ArrayNode labels = c.putArray("labels"), ok = c.putArray("correct"), bad = c.putArray("incorrect");
            for (int i = 0; i < h.correct().length; i++) {
                labels.add(Fmt.num(h.edges()[i], 1) + "–" + Fmt.num(h.edges()[i + 1], 1));
                ok.add(h.correct()[i]);
                bad.add(h.incorrect()[i]);
            }
            canvas(id, "");
        }
        b.append("</div></section>\n");
    }

    private void sweeps() {
        b.append("<section id=\"sweep\"><h2>τ sweep</h2><p class=\"explain\">").append(esc(Explain.SWEEP)).append("</p>\n");
        ArrayNode charts = data.putArray("sweeps");
        b.append("<div class=\"charts\">\n");
        for (Report.RunView v : r.runs()) {
            Stats.Sweep s = v.sweep();
            String id = "sweep-" + v.index();
            ObjectNode c = charts.addObject();
            c.put("id", id);
            c.put("title", v.run().benchmark() + " / " + v.label() + " (run τ = " + Fmt.num(v.run().tau(), 2) + ")");
            ArrayNode taus = c.putArray("taus"), sel = c.putArray("selected"), as = c.putArray("accSelected"), au = c.putArray("accUnselected");
            c.put("runTau", -1);
            for (Stats.SweepPoint p : s.points()) {
                if (Math.abs(p.tau() - v.run().tau()) < 1e-9) c.put("runTau", taus.size());
                taus.add(Fmt.num(p.tau(), 2));
                num(sel, 100 * p.selectedFraction());
                num(as, 100 * p.accSelected());
                num(au, 100 * p.accUnselected());
            }
            if (s.hasSimulated()) {
                ArrayNode sim = c.putArray("simulated");
                for (Stats.SweepPoint p : s.points()) num(sim, 100 * p.simulated());
            }
            if (v.run().benchmark().equals("sealtool")) {
                // The paper's SealTool points where our grid has their τ.
                ArrayNode flagged = c.putArray("paperSelected");
                for (Stats.SweepPoint p : s.points()) {
                    if (Math.abs(p.tau() - 0.95) < 1e-9) flagged.add(100 * PaperNumbers.SEALTOOL_FLAGGED_AT_095);
                    else flagged.addNull();
                }
                if (s.hasSimulated()) {
                    ArrayNode acc = c.putArray("paperAccuracy");
                    for (Stats.SweepPoint p : s.points()) {
                        double val = Double.NaN;
                        for (double[] t : PaperNumbers.sealtoolTauPoints()) if (Math.abs(p.tau() - t[0]) < 1e-9) val = t[1];
                        num(acc, val);
                    }
                }
            }
            b.append("<figure>");
            canvas(id, "");
            b.append("<figcaption>");
            if (s.simulatedNote() != null) b.append("No simulated accuracy: ").append(esc(s.simulatedNote())).append(".");
            else b.append("Simulated with base run <code>").append(esc(v.base().dir().toString())).append("</code>.");
            if (s.withoutMargin() > 0) b.append(" ").append(s.withoutMargin()).append(" samples without a margin left out.");
            b.append("</figcaption>\n<details><summary>table</summary><table><thead><tr><th>τ</th><th>selected % (margin &lt; τ)</th><th>selected / all</th>"
                    + "<th>accuracy of selected %</th><th>accuracy of unselected %</th>").append(s.hasSimulated() ? "<th>simulated accuracy %</th>" : "")
                    .append("</tr></thead><tbody>\n");
            for (Stats.SweepPoint p : s.points()) {
                String tau = Fmt.num(p.tau(), 2) + (Math.abs(p.tau() - v.run().tau()) < 1e-9 ? " (run)" : "");
                if (s.hasSimulated()) {
                    tr(tau, Fmt.pct(p.selectedFraction()), p.selected() + " / " + p.total(), Fmt.pct(p.accSelected()), Fmt.pct(p.accUnselected()),
                            Fmt.pct(p.simulated()));
                } else {
                    tr(tau, Fmt.pct(p.selectedFraction()), p.selected() + " / " + p.total(), Fmt.pct(p.accSelected()), Fmt.pct(p.accUnselected()));
                }
            }
            b.append("</tbody></table></details></figure>\n");
        }
        b.append("</div>");
        if (r.runs().stream().anyMatch(v -> v.run().benchmark().equals("sealtool"))) {
            b.append("<p class=\"explain\"><span class=\"paper-tag\">").append(esc(PaperNumbers.LABEL)).append("</span> SealTool: τ = 0.95 flags 190/294 ="
                    + " 64.63% uncertain, TT-SI 72.43%; τ = 0.35: TT-SI 68.10%. Drawn as diamonds on the SealTool charts.</p>");
        }
        b.append("</section>\n");
    }

    private void stages() {
        b.append("<section id=\"stages\"><h2>Time per stage</h2><p class=\"explain\">").append(esc(Explain.STAGES)).append("</p>\n");
        b.append("<table><thead><tr><th>run</th><th>samples</th><th>score s</th><th>synthesize s</th><th>train s</th><th>answer s</th><th>other s</th>"
                + "<th>total s per sample</th><th>total s</th></tr></thead><tbody>\n");
        ObjectNode c = data.putObject("stages");
        c.put("id", "chart-stages");
        ArrayNode labels = c.putArray("labels");
        ObjectNode series = c.putObject("series");
        for (String s : List.of("score", "synthesize", "train", "answer", "other")) series.putArray(s);
        for (Report.RunView v : r.runs()) {
            Map<String, Double> m = v.stages().meanSeconds();
            tr(esc(v.run().benchmark() + " / " + v.label()), String.valueOf(v.stages().samples()), Fmt.num(m.get("score"), 3),
                    Fmt.num(m.get("synthesize"), 3), Fmt.num(m.get("train"), 3), Fmt.num(m.get("answer"), 3), Fmt.num(m.get("other"), 3),
                    Fmt.num(v.stages().meanTotal(), 3), Fmt.num(v.stages().sumTotal(), 1));
            labels.add(v.run().benchmark() + " / " + v.label());
            m.forEach((k, x) -> num((ArrayNode) series.get(k), x));
        }
        b.append("</tbody></table>\n");
        b.append("<div class=\"chart wide\" style=\"height: ").append(Math.max(220, 90 + 36 * r.runs().size()))
                .append("px\"><canvas id=\"chart-stages\"></canvas></div>\n");
        b.append("</section>\n");
    }

    private void samples() {
        b.append("<section id=\"samples\"><h2>Samples</h2><p class=\"explain\">").append(esc(Explain.SAMPLES))
                .append(" Click an id to open its details.</p>\n");
        for (Report.RunView v : r.runs()) {
            List<SampleLine> lines = v.run().lines();
            b.append("<details class=\"run-samples\"").append(lines.size() <= 60 ? " open" : "").append("><summary>")
                    .append(esc(v.run().benchmark() + " / " + v.label())).append(" — ").append(lines.size()).append(" samples</summary>\n");
            b.append("<table class=\"samples\"><thead><tr><th>seed</th><th>#</th><th>id</th><th>margin</th><th>uncertain</th><th>adapted</th>"
                    + "<th>pairs</th><th>correct</th><th>reason</th></tr></thead><tbody>\n");
            for (int i = 0; i < lines.size(); i++) {
                SampleLine l = lines.get(i);
                JsonNode syn = l.json().path("synthesis");
                tr(String.valueOf(l.seed()), String.valueOf(l.index()), "<a href=\"#" + anchor(v, i) + "\">" + esc(l.id()) + "</a>",
                        Fmt.num(l.margin(), 3), l.uncertain() ? "yes" : "no", l.adapted() ? "yes" : "no",
                        syn.isObject() ? String.valueOf(syn.path("pairs").size()) : "–", verdict(l.correct()),
                        esc(Fmt.cut(l.json().path("reason").asText(""), 100)));
            }
            b.append("</tbody></table>\n");
            for (int i = 0; i < lines.size(); i++) sample(v, i, lines.get(i));
            b.append("</details>\n");
        }
        b.append("</section>\n");
    }

    private void sample(Report.RunView v, int pos, SampleLine l) {
        JsonNode j = l.json();
        b.append("<details class=\"sample\" id=\"").append(anchor(v, pos)).append("\"><summary>").append(verdict(l.correct())).append(" seed ")
                .append(l.seed()).append(" · #").append(l.index()).append(" · ").append(esc(l.id())).append(" · margin ").append(Fmt.num(l.margin(), 3))
                .append(l.uncertain() ? " (uncertain)" : " (certain)").append(l.adapted() ? " · adapted" : "").append("</summary>\n<div class=\"sample-body\">");
        JsonNode u = j.path("uncertainty");
        b.append("<h4>Candidates</h4><table><thead><tr><th>tool</th><th>score (log-prob)</th><th>probability</th></tr></thead><tbody>");
        for (JsonNode c : u.path("candidates")) {
            boolean top = c.path("name").asText().equals(u.path("top").asText(null));
            b.append(top ? "<tr class=\"top\">" : "<tr>").append("<td>").append(esc(c.path("name").asText())).append("</td><td>")
                    .append(Fmt.num(c.path("score").asDouble(Double.NaN), 3)).append("</td><td>").append(Fmt.num(c.path("probability").asDouble(Double.NaN), 4))
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
        if (u.path("reason").isTextual()) b.append("<p>").append(esc(u.get("reason").asText())).append("</p>");
        JsonNode syn = j.path("synthesis");
        if (syn.isObject()) {
            b.append("<h4>Synthetic pairs (").append(syn.path("pairs").size()).append(", ").append(syn.path("attempts").asInt()).append(" attempts)</h4><ol>");
            for (JsonNode p : syn.path("pairs")) {
                b.append("<li><div class=\"q\">").append(esc(p.path("query").asText())).append("</div><pre>").append(esc(p.path("calls").toString())).append("</pre></li>");
            }
            b.append("</ol>");
            list("Raw generations", syn.path("raw"), true);
            list("Rejections", syn.path("rejections"), false);
        } else {
            b.append("<h4>Synthetic pairs</h4><p class=\"muted\">").append(l.adapted() ? "none: this method trains without synthetic pairs"
                    + " (gold-upper-bound trains on the gold answer)" : "none (not selected for synthesis)").append("</p>");
        }
        JsonNode losses = j.path("train_losses");
        if (!losses.isEmpty()) {
            b.append("<h4>Train losses</h4><p>");
            for (int i = 0; i < losses.size(); i++) b.append(i == 0 ? "" : ", ").append(Fmt.num(losses.get(i).asDouble(Double.NaN), 4));
            b.append("</p>");
        }
        b.append("<h4>Outputs</h4><ol>");
        for (int i = 0; i < j.path("outputs").size(); i++) {
            b.append("<li><pre>").append(esc(j.get("outputs").get(i).asText())).append("</pre>");
            JsonNode pc = j.path("parsed_calls").path(i), pe = j.path("parse_errors").path(i);
            if (pe.isTextual()) b.append("<div class=\"bad\">parse error: ").append(esc(pe.asText())).append("</div>");
            else if (!pc.isMissingNode()) b.append("<div>parsed: <code>").append(esc(pc.toString())).append("</code></div>");
            b.append("</li>");
        }
        b.append("</ol><h4>Final calls</h4><pre>").append(esc(j.path("calls").toString())).append("</pre>");
        if (j.path("parse_error").isTextual()) b.append("<div class=\"bad\">parse error: ").append(esc(j.get("parse_error").asText())).append("</div>");
        b.append("<h4>Gold</h4><pre>").append(esc(j.path("gold").toString())).append("</pre>");
        b.append("<h4>Verdict</h4><p>").append(verdict(l.correct())).append(l.correct() ? " correct" : " incorrect");
        for (String k : List.of("final_correct", "any_correct")) if (j.has(k)) b.append(" · ").append(k).append(": ").append(j.get(k).asBoolean());
        if (j.path("reason").isTextual()) b.append("<br>reason: ").append(esc(j.get("reason").asText()));
        b.append("</p><h4>Seconds</h4><p>").append(esc(l.seconds().entrySet().stream().map(e -> e.getKey() + " " + Fmt.num(e.getValue(), 3))
                .collect(Collectors.joining(" · ")))).append("</p>");
        b.append("</div></details>\n");
    }

    private void list(String title, JsonNode items, boolean pre) {
        if (items.isEmpty()) return;
        b.append("<h4>").append(title).append(" (").append(items.size()).append(")</h4><ol>");
        for (JsonNode x : items) {
            String t = x.isTextual() ? x.asText() : x.toString();
            b.append("<li>").append(pre ? "<pre>" : "").append(esc(t)).append(pre ? "</pre>" : "").append("</li>");
        }
        b.append("</ol>");
    }

    private static String verdict(boolean ok) {
        return ok ? "<span class=\"ok\">✓</span>" : "<span class=\"bad\">✗</span>";
    }

    private void canvas(String id, String cls) {
        b.append("<div class=\"chart ").append(cls).append("\"><canvas id=\"").append(id).append("\"></canvas></div>\n");
    }

    /** One table row; cells are HTML already escaped by the caller. */
    private void tr(String... cells) {
        b.append("<tr>");
        for (String c : cells) b.append("<td>").append(c).append("</td>");
        b.append("</tr>\n");
    }

    private String counts(Report.RunView v) {
        String c = v.counts().values().stream().distinct().map(String::valueOf).collect(Collectors.joining("/"));
        Integer exp = v.run().expectedSamples();
        return exp != null && v.counts().values().stream().anyMatch(n -> n < exp) ? c + " of " + exp : c;
    }

    private static void num(ArrayNode a, double x) {
        if (Double.isFinite(x)) a.add(x);
        else a.addNull();
    }

    private static String esc(String s) {
        return Fmt.html(s);
    }

    /** JSON safe inside a script element: no '<', '>', '&' or line separators in the text. */
    static String scriptJson(JsonNode n) {
        String s;
        try {
            s = Json.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    /** Chart.js's UMD build, without its source-map comment (the map is not shipped). */
    private static String chartJs() {
        String js = resource("chart.umd.min.js");
        return js.replaceAll("(?m)^//# sourceMappingURL=.*$", "");
    }

    static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource missing from the build: ttsi/bench/report/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
