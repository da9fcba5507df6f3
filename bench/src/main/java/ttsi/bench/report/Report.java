package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ttsi.agent.method.Variant;

/**
 * The report over one or more run directories: runs grouped by benchmark (methods in a fixed order), each with its
 * accuracy over seeds, margin histogram, τ sweep and stage times; written as report.md and report.html.
 */
public final class Report {
    /** Config fields that must agree for a base run to stand in for another run's unadapted answers. */
    private static final List<String> SAME_ANSWERING = List.of("model", "format", "meanScores", "singleTool", "inference", "samples",
            "sampleTemperature", "maxTokens");

    /** One run with everything computed from it. {@code base} is the matching base run, if any. */
    public record RunView(int index, RunData run, String label, Map<Long, Double> perSeed, Map<Long, Integer> counts, Stats.MeanStd accuracy,
                          double uncertain, double selected, double adapted, Stats.Histogram histogram, Stats.Sweep sweep,
                          Stats.StageTimes stages, RunData base) {
        /** Difference of mean accuracies with the matching base run (NaN without one). */
        public double deltaVsBase(Report r) {
            if (base == null) return Double.NaN;
            return accuracy.mean() - r.view(base).accuracy.mean();
        }
    }

    /**
     * One benchmark's runs. {@code base}: the run the Δ-vs-base table compares with (null when there is none);
     * {@code deltas}: every other run against it (empty without a base, and then the group has no table).
     */
    public record Group(String benchmark, List<RunView> runs, RunView base, List<DeltaRow> deltas) {}

    /** A row of the Δ-vs-base table: a run and its paired bootstrap against the group's base run. */
    public record DeltaRow(RunView run, PairedBootstrap.Result vsBase) {}

    private final List<Group> groups;
    private final List<RunView> views;
    private final List<Problem> problems;
    private final List<Problem> warnings;
    private final Instant generated;

    private Report(List<Group> groups, List<RunView> views, List<Problem> problems, List<Problem> warnings, Instant generated) {
        this.groups = groups;
        this.views = views;
        this.problems = problems;
        this.warnings = warnings;
        this.generated = generated;
    }

    public static Report of(RunLoader.Loaded loaded) {
        // Group by benchmark (first appearance), methods in Variant order, then input order.
        Map<String, List<RunData>> byBench = new LinkedHashMap<>();
        for (RunData r : loaded.runs()) byBench.computeIfAbsent(r.benchmark(), b -> new ArrayList<>()).add(r);
        for (List<RunData> g : byBench.values()) g.sort(Comparator.comparingInt(r -> methodOrder(r.method())));
        List<RunView> views = new ArrayList<>();
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, List<RunData>> g : byBench.entrySet()) {
            List<RunView> gv = new ArrayList<>();
            for (RunData r : g.getValue()) {
                String label = r.method();
                final RunData rr = r;
                long same = g.getValue().stream().filter(o -> o.method().equals(rr.method())).count();
                if (same > 1) label += " (" + r.dir().toAbsolutePath().normalize().getFileName() + ")";
                RunData base = null;
                String note;
                int order = methodOrder(r.method());
                if (order == Variant.BASE.ordinal()) {
                    note = "this is the base run: nothing was adapted";
                } else if (order == Variant.ICL.ordinal()) {
                    note = "ICL adapts nothing";
                } else {
                    List<RunData> bases = g.getValue().stream().filter(o -> o.method().equals(Variant.BASE.key)).toList();
                    base = bases.stream().filter(o -> sameAnswering(o, rr)).findFirst().orElse(null);
                    note = bases.isEmpty() ? "no base run of " + r.benchmark() + " among the inputs"
                            : base == null ? "no base run of " + r.benchmark() + " with the same model and answering settings" : null;
                }
                var lines = r.lines();
                var perSeed = Stats.accuracyPerSeed(lines);
                var sweep = Stats.tauSweep(lines, base == null ? null : base.lines(), note, Stats.defaultTaus(r.tau()));
                RunView v = new RunView(views.size(), r, label, perSeed, Stats.countPerSeed(lines), Stats.meanStd(perSeed.values()),
                        Stats.fraction(lines, SampleLine::uncertain), Stats.fraction(lines, SampleLine::selected),
                        Stats.fraction(lines, SampleLine::adapted), Stats.marginHistogram(lines, 10), sweep, Stats.stageTimes(lines), base);
                views.add(v);
                gv.add(v);
            }
            RunView base = deltaBase(gv);
            List<DeltaRow> deltas = base == null ? List.of()
                    : gv.stream().filter(v -> v != base).map(v -> new DeltaRow(v, PairedBootstrap.compare(v.run().lines(), base.run().lines()))).toList();
            groups.add(new Group(g.getKey(), List.copyOf(gv), base, deltas));
        }
        List<Problem> warnings = new ArrayList<>();
        for (RunView v : views) warnings.addAll(RunWarnings.of(v.run(), v.run().benchmark() + " / " + v.label()));
        return new Report(List.copyOf(groups), List.copyOf(views), List.copyOf(loaded.problems()), List.copyOf(warnings),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * The run the others are compared with: a base-method run that is not an SFT baseline, preferring one on the model
     * the adapting runs use (the demo also runs its teachers alone, with method base on other models).
     */
    static RunView deltaBase(List<RunView> group) {
        List<RunView> bases = group.stream().filter(v -> v.run().method().equals(Variant.BASE.key) && !sftBaseline(v.run())).toList();
        String adaptedModel = group.stream().filter(v -> !v.run().method().equals(Variant.BASE.key)).map(v -> v.run().model()).findFirst().orElse(null);
        return bases.stream().filter(v -> v.run().model().equals(adaptedModel)).findFirst().orElse(bases.isEmpty() ? null : bases.getFirst());
    }

    static int methodOrder(String method) {
        try {
            return Variant.of(method).ordinal();
        } catch (IllegalArgumentException e) {
            return Variant.values().length;
        }
    }

    /**
     * A run of method base on a fine-tuned model (the demo's SFT baseline) is a variant, not the base the others are
     * compared with. The run records no such flag, so its model folder's or its own folder's name tells ("sft").
     */
    static boolean sftBaseline(RunData r) {
        Path dir = r.dir().toAbsolutePath().normalize().getFileName();
        return r.model().toLowerCase(Locale.ROOT).contains("sft") || (dir != null && dir.toString().toLowerCase(Locale.ROOT).contains("sft"));
    }

    private static boolean sameAnswering(RunData base, RunData run) {
        for (String k : SAME_ANSWERING) {
            JsonNode a = base.config().get(k), b = run.config().get(k);
            if (a != null && b != null && !a.equals(b)) return false;
        }
        return true;
    }

    public List<Group> groups() {
        return groups;
    }

    public List<RunView> runs() {
        return views;
    }

    /** Files that could not (fully) be used, as the loader found them. */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * Runs that were read but whose results show a failure (path: the run directory): a method that adapts at test
     * time adapted none of the samples it selected, or every answer is unparsable. Listed under Warnings in the
     * Problems section.
     */
    public List<Problem> warnings() {
        return warnings;
    }

    /** Whether the report has a Problems section: file problems or run warnings. */
    public boolean hasProblemsSection() {
        return !problems.isEmpty() || !warnings.isEmpty();
    }

    public Instant generated() {
        return generated;
    }

    public RunView view(RunData r) {
        return views.stream().filter(v -> v.run() == r).findFirst().orElseThrow();
    }

    /** Whether some benchmark has a base run and another run to compare with it: the Δ-vs-base table has rows. */
    public boolean hasDeltaTable() {
        return groups.stream().anyMatch(g -> !g.deltas().isEmpty());
    }

    /** The Δ-vs-base section of report.md (empty without a base run); {@code ttsi demo} prints it too. */
    public String deltaMarkdown() {
        return MarkdownReport.deltaSection(this);
    }

    public String markdown() {
        return new MarkdownReport(this).render();
    }

    public String html() {
        return new HtmlReport(this).render();
    }

    /** Writes report.md and report.html into the folder (created if needed) and returns their paths. */
    public List<Path> write(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path md = outDir.resolve("report.md"), html = outDir.resolve("report.html");
        Files.writeString(md, markdown(), StandardCharsets.UTF_8);
        Files.writeString(html, html(), StandardCharsets.UTF_8);
        return List.of(md, html);
    }
}
