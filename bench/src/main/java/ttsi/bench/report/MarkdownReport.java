package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/** report.md: the tables of the report; per-sample links point at the details in report.html. */
final class MarkdownReport {
    private final Report r;
    private final StringBuilder b = new StringBuilder();

    MarkdownReport(Report r) {
        this.r = r;
    }

    String render() {
        b.append("# ttsi report\n\n");
        b.append("Generated ").append(r.generated()).append(" from ").append(r.runs().size()).append(" run(s). Charts and per-sample details: [report.html](report.html).\n\n");
        runs();
        problems();
        accuracy();
        b.append(deltaSection(r));
        paper();
        margins();
        sweeps();
        stages();
        samples();
        return b.toString();
    }

    private void runs() {
        b.append("## Runs\n\n");
        row("#", "directory", "benchmark", "method", "model", "seeds", "samples per seed", "τ", "inference", "k", "epochs", "ttsi", "started");
        sep(13);
        for (Report.RunView v : r.runs()) {
            RunData d = v.run();
            JsonNode c = d.config();
            row(String.valueOf(v.index() + 1), md(d.dir().toString()), md(d.benchmark()), md(d.method()), md(d.model()),
                    md(v.perSeed().keySet().stream().map(String::valueOf).collect(Collectors.joining(", "))), counts(v),
                    Fmt.num(d.tau(), 2), md(d.inference()), md(c.path("k").asText("–")), md(c.path("epochs").asText("–")),
                    md(d.provenance().path("ttsi_version").asText("–")), md(d.provenance().path("started").asText("–")));
        }
        b.append('\n');
    }

    private void problems() {
        if (!r.hasProblemsSection()) return;
        b.append("## Problems\n\n");
        if (!r.problems().isEmpty()) {
            b.append("These files could not be (fully) used; everything else is reported.\n\n");
            for (Problem p : r.problems()) item(p);
            b.append('\n');
        }
        if (!r.warnings().isEmpty()) {
            b.append("### Warnings\n\n").append(Explain.WARNINGS).append("\n\n");
            for (Problem p : r.warnings()) item(p);
            b.append('\n');
        }
    }

    private void item(Problem p) {
        b.append("- `").append(p.path().toString().replace("`", "'")).append("`: ").append(md(p.reason())).append('\n');
    }

    private void accuracy() {
        b.append("## Accuracy\n\n").append(Explain.ACCURACY).append("\n\n");
        for (Report.Group g : r.groups()) {
            b.append("### ").append(md(g.benchmark()));
            String pb = PaperNumbers.paperBenchmark(g.benchmark());
            if (pb != null) b.append(" (paper: ").append(pb).append(")");
            b.append("\n\n");
            row("method", "accuracy % (mean ± std)", "per seed %", "samples per seed", "uncertain %", "adapted %", "Δ vs our base",
                    PaperNumbers.LABEL + ": accuracy %", PaperNumbers.LABEL + ": Δ vs base");
            sep(9);
            for (Report.RunView v : g.runs()) {
                RunData d = v.run();
                OptionalDouble pa = PaperNumbers.accuracy(d.benchmark(), d.method(), d.inference());
                String pg = PaperNumbers.gain(d.benchmark(), d.method(), d.inference());
                row(md(v.label()), Fmt.pm(v.accuracy()) + " (" + v.accuracy().n() + " seed" + (v.accuracy().n() == 1 ? "" : "s") + ")",
                        v.perSeed().entrySet().stream().map(e -> e.getKey() + ": " + Fmt.pct(e.getValue())).collect(Collectors.joining(", ")),
                        counts(v), Fmt.pct(v.uncertain()), Fmt.pct(v.adapted()), Fmt.signedPoints(v.deltaVsBase(r)),
                        pa.isPresent() ? Fmt.num(pa.getAsDouble(), 2) : "–", pg == null ? "–" : md(pg));
            }
            b.append("\nScoring (as written in each run's summary.json and metrics-seed-*.json):\n\n");
            java.util.Set<String> rules = new java.util.LinkedHashSet<>();
            for (Report.RunView v : g.runs()) rules.add(v.run().scoring());
            // One line when every run is scored by the same rule (a demo's 13 runs), else one per run.
            if (rules.size() == 1 && g.runs().size() > 1) b.append("- every run: ").append(md(rules.iterator().next())).append('\n');
            else for (Report.RunView v : g.runs()) b.append("- ").append(md(v.label())).append(": ").append(md(v.run().scoring())).append('\n');
            b.append('\n');
        }
        b.append(Explain.PAPER_POINTER).append("\n\n");
    }

    /** The Δ-vs-base tables, one per benchmark with a base run; empty when none has one. */
    static String deltaSection(Report r) {
        if (!r.hasDeltaTable()) return "";
        MarkdownReport m = new MarkdownReport(r);
        m.b.append("## ").append(Explain.DELTA_TITLE).append("\n\n").append(Explain.DELTA).append("\n\n");
        for (Report.Group g : r.groups()) {
            if (g.deltas().isEmpty()) continue;
            Report.RunView base = g.base();
            m.b.append("### ").append(md(g.benchmark())).append("\n\nBase run: `").append(base.run().dir().toString().replace("`", "'"))
                    .append("`, accuracy ").append(Fmt.pm(base.accuracy())).append(" % (").append(seeds(base.accuracy().n())).append(").\n\n");
            m.row("run", "accuracy % (mean ± std over seeds)", "Δ vs base (points)", "95% CI (points)", "n (paired samples)");
            m.sep(5);
            for (Report.DeltaRow d : g.deltas()) {
                PairedBootstrap.Result x = d.vsBase();
                m.row(md(d.run().label()), Fmt.pm(d.run().accuracy()) + " (" + seeds(d.run().accuracy().n()) + ")", Fmt.signedPoints(x.delta()),
                        Fmt.ci(x), Fmt.pairedSamples(x));
            }
            m.b.append('\n');
        }
        return m.b.toString();
    }

    private static String seeds(int n) {
        return n + " seed" + (n == 1 ? "" : "s");
    }

    private void paper() {
        b.append("## Published numbers (").append(PaperNumbers.LABEL).append(")\n\n");
        row("benchmark", "setting", "value", "source");
        sep(4);
        for (PaperNumbers.Entry e : PaperNumbers.all()) row(md(e.benchmark()), md(e.setting()), md(e.value()), md(e.source()));
        b.append("\nFrom shared/research/paper.md §6. ").append(Explain.PAPER).append("\n\n");
    }

    private void margins() {
        b.append("## Uncertainty (margin) of correct and incorrect samples\n\n").append(Explain.MARGIN).append("\n\n");
        if (r.runs().isEmpty()) return;
        Stats.Histogram h0 = r.runs().getFirst().histogram();
        String[] head = new String[h0.correct().length + 2];
        head[0] = "run";
        head[1] = "verdict";
        for (int i = 0; i < h0.correct().length; i++) head[i + 2] = Fmt.num(h0.edges()[i], 1) + "–" + Fmt.num(h0.edges()[i + 1], 1);
        row(head);
        sep(head.length);
        for (Report.RunView v : r.runs()) {
            for (boolean ok : new boolean[] {true, false}) {
                String[] cells = new String[head.length];
                cells[0] = md(v.run().benchmark() + " / " + v.label());
                cells[1] = ok ? "correct" : "incorrect";
                int[] counts = ok ? v.histogram().correct() : v.histogram().incorrect();
                for (int i = 0; i < counts.length; i++) cells[i + 2] = String.valueOf(counts[i]);
                row(cells);
            }
        }
        b.append('\n');
        for (Report.RunView v : r.runs()) {
            if (v.histogram().withoutMargin() > 0) {
                b.append("- ").append(md(v.label())).append(": ").append(v.histogram().withoutMargin()).append(" samples have no recorded margin\n");
            }
        }
        b.append('\n');
    }

    private void sweeps() {
        b.append("## τ sweep\n\n").append(Explain.SWEEP).append("\n\n");
        for (Report.RunView v : r.runs()) {
            Stats.Sweep s = v.sweep();
            b.append("### ").append(md(v.run().benchmark() + " / " + v.label())).append(" (run τ = ").append(Fmt.num(v.run().tau(), 2)).append(")\n\n");
            if (s.simulatedNote() != null) b.append("No simulated accuracy: ").append(md(s.simulatedNote())).append(".\n\n");
            else b.append("Simulated with base run `").append(v.base().dir().toString().replace("`", "'")).append("`.\n\n");
            boolean sim = s.hasSimulated();
            if (sim) {
                row("τ", "selected % (margin < τ)", "selected / all", "accuracy of selected %", "accuracy of unselected %", "simulated accuracy %");
                sep(6);
            } else {
                row("τ", "selected % (margin < τ)", "selected / all", "accuracy of selected %", "accuracy of unselected %");
                sep(5);
            }
            for (Stats.SweepPoint p : s.points()) {
                String tau = Fmt.num(p.tau(), 2) + (Math.abs(p.tau() - v.run().tau()) < 1e-9 ? " (run)" : "");
                if (sim) {
                    row(tau, Fmt.pct(p.selectedFraction()), p.selected() + " / " + p.total(), Fmt.pct(p.accSelected()), Fmt.pct(p.accUnselected()),
                            Fmt.pct(p.simulated()));
                } else {
                    row(tau, Fmt.pct(p.selectedFraction()), p.selected() + " / " + p.total(), Fmt.pct(p.accSelected()), Fmt.pct(p.accUnselected()));
                }
            }
            if (s.withoutMargin() > 0) b.append("\n").append(s.withoutMargin()).append(" samples without a recorded margin are left out.\n");
            b.append('\n');
        }
        if (r.runs().stream().anyMatch(v -> v.run().benchmark().equals("sealtool"))) {
            b.append("Paper (").append(PaperNumbers.LABEL).append("), SealTool: τ = 0.95 flags 190/294 = 64.63% uncertain, TT-SI 72.43%;"
                    + " τ = 0.35: TT-SI 68.10%.\n\n");
        }
    }

    private void stages() {
        b.append("## Time per stage\n\n").append(Explain.STAGES).append("\n\n");
        row("run", "samples", "score s", "synthesize s", "train s", "answer s", "other s", "total s per sample", "total s");
        sep(9);
        for (Report.RunView v : r.runs()) {
            Map<String, Double> m = v.stages().meanSeconds();
            row(md(v.run().benchmark() + " / " + v.label()), String.valueOf(v.stages().samples()), Fmt.num(m.get("score"), 3),
                    Fmt.num(m.get("synthesize"), 3), Fmt.num(m.get("train"), 3), Fmt.num(m.get("answer"), 3), Fmt.num(m.get("other"), 3),
                    Fmt.num(v.stages().meanTotal(), 3), Fmt.num(v.stages().sumTotal(), 1));
        }
        b.append('\n');
    }

    private void samples() {
        b.append("## Samples\n\n").append(Explain.SAMPLES).append(" The details are in report.html; each id links there.\n\n");
        for (Report.RunView v : r.runs()) {
            b.append("### ").append(md(v.run().benchmark() + " / " + v.label())).append("\n\n");
            row("seed", "#", "id", "margin", "uncertain", "adapted", "synthetic pairs", "answer", "gold", "correct", "reason");
            sep(11);
            List<SampleLine> lines = v.run().lines();
            for (int i = 0; i < lines.size(); i++) {
                SampleLine l = lines.get(i);
                JsonNode j = l.json();
                JsonNode syn = j.path("synthesis");
                String pairs = syn.isObject() ? syn.path("pairs").size() + (syn.path("pairs").isEmpty() ? "" : ": " + Fmt.cut(syn.path("pairs").get(0).path("query").asText(), 60)) : "–";
                String answer = j.path("parse_error").isTextual() ? "unparsable: " + j.get("parse_error").asText() : j.path("calls").toString();
                row(String.valueOf(l.seed()), String.valueOf(l.index()), "[" + md(l.id()) + "](report.html#" + HtmlReport.anchor(v, i) + ")",
                        Fmt.num(l.margin(), 3), l.uncertain() ? "yes" : "no", l.adapted() ? "yes" : "no", md(pairs), md(Fmt.cut(answer, 80)),
                        md(Fmt.cut(j.path("gold").toString(), 80)), l.correct() ? "✓" : "✗", md(Fmt.cut(j.path("reason").asText(""), 80)));
            }
            b.append('\n');
        }
    }

    private String counts(Report.RunView v) {
        String c = v.counts().values().stream().distinct().map(String::valueOf).collect(Collectors.joining("/"));
        Integer exp = v.run().expectedSamples();
        return exp != null && v.counts().values().stream().anyMatch(n -> n < exp) ? c + " of " + exp : c;
    }

    private static String md(String s) {
        return Fmt.md(s);
    }

    private void row(String... cells) {
        b.append('|');
        for (String c : cells) b.append(' ').append(c).append(" |");
        b.append('\n');
    }

    private void sep(int n) {
        b.append('|');
        b.append("---|".repeat(n));
        b.append('\n');
    }
}
