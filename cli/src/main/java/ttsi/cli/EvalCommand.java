package ttsi.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.agent.json.Json;
import ttsi.bench.Benchmark;
import ttsi.bench.Benchmarks;
import ttsi.bench.data.DataDirs;
import ttsi.bench.data.Dataset;
import ttsi.bench.score.EvalReport;
import ttsi.bench.score.Evaluation;
import ttsi.bench.score.Prediction;
import ttsi.bench.score.PredictionsFile;
import ttsi.bench.score.SampleResult;

@Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Scores predictions against a benchmark's gold answers: prints every metric and writes one verdict per sample.",
        "Predictions are JSON Lines: {\"id\": ..., \"calls\": [{\"name\": ..., \"arguments\": {...}}]} or {\"id\": ..., \"output\": \"raw model text\"}.",
        "Ids are the dataset's own (BFCL, NexusRaven, Seal-Tools official) or <benchmark>_<index>; 'ttsi data show' prints them."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--benchmark", required = true, description = "benchmark name ('ttsi data list' shows them)")
    String benchmark;

    @Option(names = "--data-dir", description = "folder holding the benchmark folders (default: shared/data beside the checkout)")
    Path dataDir;

    @Option(names = "--predictions", description = "JSON Lines of predictions (default: none, and then --gold is needed)")
    Path predictions;

    @Option(names = "--gold", description = "score the gold answers themselves (a self-check: accuracy must be 100%%)")
    boolean gold;

    @Option(names = "--verdicts", description = "where to write per-sample verdicts (default: <predictions>.verdicts.jsonl)")
    Path verdicts;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    String format;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("text") && !format.equals("json")) throw new IllegalArgumentException("--format must be text or json, got " + format);
        if (predictions == null && !gold) throw new IllegalArgumentException("give --predictions FILE (or --gold to score the gold answers)");
        if (predictions != null && gold) throw new IllegalArgumentException("give either --predictions or --gold, not both");
        Benchmark b = Benchmarks.get(benchmark);
        Path dir = DataDirs.resolve(dataDir);
        Dataset data = b.load(dir);
        reportIssues(data, System.err);
        Map<String, Prediction> preds = gold ? Evaluation.goldPredictions(data) : PredictionsFile.read(predictions, data.byId());
        EvalReport report = Evaluation.evaluate(b, data, preds);
        Path out = verdicts != null ? verdicts : predictions == null ? null
                : predictions.resolveSibling(predictions.getFileName().toString().replaceFirst("\\.jsonl?$", "") + ".verdicts.jsonl");
        if (out != null) writeVerdicts(report, out);
        if (format.equals("json")) {
            var o = report.toJson();
            o.put("data", data.source().toString());
            o.put("data_issues", data.issues().size());
            if (out != null) o.put("verdicts", out.toString());
            System.out.println(Json.compact(o));
        } else {
            printText(report, data, out, System.out);
        }
        return 0;
    }

    static void reportIssues(Dataset data, PrintStream err) {
        if (data.issues().isEmpty()) return;
        err.println("note: " + data.issues().size() + " data issue(s) in " + data.source() + " (" + data.skipped() + " record(s) skipped):");
        data.issues().stream().limit(10).forEach(i -> err.println("  " + i));
        if (data.issues().size() > 10) err.println("  ... " + (data.issues().size() - 10) + " more");
    }

    private static void writeVerdicts(EvalReport report, Path out) throws IOException {
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (SampleResult r : report.results()) w.write(Json.compact(r.toJson()) + "\n");
        }
    }

    private static void printText(EvalReport r, Dataset data, Path verdictsFile, PrintStream o) {
        var c = r.counts();
        o.printf("%-28s %s (%d samples from %s)%n", "benchmark", r.benchmark(), c.samples(), data.source());
        o.printf("%-28s %d given, %d missing, %d unparsable, %d with unknown ids%n", "predictions", c.predicted(), c.missing(),
                c.unparsable(), r.unknownIds().size());
        r.metrics().forEach((k, v) -> {
            if (k.equals("accuracy")) o.printf("%-28s %7.2f%%  (%d/%d)%n", k, 100 * v, c.correct(), c.samples());
            else o.printf("%-28s %7.2f%%%n", k, 100 * v);
        });
        r.groups().forEach((k, g) -> o.printf("%-28s %7.2f%%  (%d/%d)%n", "group " + k, 100 * g.accuracy(), g.correct(), g.samples()));
        if (!r.unknownIds().isEmpty()) {
            o.println("unknown ids (ignored): " + String.join(", ", r.unknownIds().stream().limit(10).toList())
                    + (r.unknownIds().size() > 10 ? ", ..." : ""));
        }
        if (verdictsFile != null) o.printf("%-28s %s%n", "verdicts", verdictsFile);
    }
}
