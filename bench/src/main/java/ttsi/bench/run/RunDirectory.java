package ttsi.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ttsi.agent.json.Json;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.tools.ToolCall;
import ttsi.bench.Benchmark;
import ttsi.bench.Benchmarks;
import ttsi.bench.data.Dataset;
import ttsi.bench.data.Sample;
import ttsi.bench.score.EvalReport;
import ttsi.bench.score.Evaluation;
import ttsi.bench.score.InferenceScoring;
import ttsi.bench.score.Prediction;

/**
 * The files of a run directory, written the same way by every way of running: {@code ttsi run} (one process or one
 * shard), {@code ttsi merge-shards} and the Spark job. run.json (the configuration and provenance, checked on resume),
 * results-seed-S.jsonl (one row per sample, in sample order), metrics-seed-S.json and summary.json (from the rows).
 */
public final class RunDirectory {
    private RunDirectory() {}

    public static Path resultsFile(Path runDir, long seed) {
        return runDir.resolve("results-seed-" + seed + ".jsonl");
    }

    /**
     * run.json for this configuration: written when absent, else compared with the one there; a different run (any
     * setting, the model's or adapter's files, the data files or the ttsi version) is refused with what differs.
     */
    public static void checkOrWriteRunJson(RunConfig cfg, Path runDir, String modelId) throws IOException {
        Benchmark bench = Benchmarks.get(cfg.benchmark());
        ObjectNode config = Json.MAPPER.valueToTree(cfg);
        ObjectNode prov = Json.object();
        prov.put("ttsi_version", Provenance.VERSION);
        prov.put("model_path", cfg.model() == null ? modelId : cfg.model().toAbsolutePath().toString());
        if (cfg.model() != null && Files.isDirectory(cfg.model())) prov.put("model_hash", Provenance.folderHash(cfg.model()));
        if (cfg.adapter() != null) {
            prov.put("adapter_path", cfg.adapter().toAbsolutePath().toString());
            prov.put("adapter_hash", Provenance.adapterHash(cfg.adapter()));
        }
        ObjectNode dataHashes = prov.putObject("data_files");
        for (Path p : bench.paths(cfg.dataDir())) if (Files.isRegularFile(p)) dataHashes.put(cfg.dataDir().relativize(p).toString(), Provenance.sha256(p));
        Path f = runDir.resolve("run.json");
        if (Files.exists(f)) {
            JsonNode old = Json.MAPPER.readTree(f.toFile());
            List<String> diffs = new ArrayList<>();
            config.fieldNames().forEachRemaining(k -> {
                if (!config.get(k).toString().equals(String.valueOf(old.path("config").get(k)))) diffs.add("config." + k + ": was " + old.path("config").get(k) + ", now " + config.get(k));
            });
            for (String k : List.of("model_hash", "adapter_hash", "ttsi_version")) {
                if (prov.has(k) && !prov.get(k).equals(old.path("provenance").get(k))) diffs.add(k + " differs");
            }
            if (!dataHashes.equals(old.path("provenance").path("data_files"))) diffs.add("data files differ");
            if (!diffs.isEmpty()) {
                throw new IllegalArgumentException(f + ": this run directory holds a different run; cannot resume (" + String.join("; ", diffs)
                        + "). Use another --out directory.");
            }
            return;
        }
        prov.set("machine", Json.MAPPER.valueToTree(Provenance.machine()));
        prov.put("started", Instant.now().toString());
        ObjectNode run = Json.object();
        run.set("config", config);
        run.set("provenance", prov);
        writeAtomically(f, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run));
    }

    /**
     * metrics-seed-S.json and summary.json from the rows in the results files, every sample scored by the run's
     * inference mode ({@link InferenceScoring}); over the run's shard when it has one.
     */
    public static Runner.Summary finish(RunConfig cfg, Path runDir, List<Sample> samples) throws IOException {
        Benchmark bench = Benchmarks.get(cfg.benchmark());
        List<Sample> covered = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) if (cfg.covers(i)) covered.add(samples.get(i));
        Dataset used = new Dataset(cfg.benchmark(), null, covered, List.of());
        InferenceMode mode = cfg.inference().mode();
        Integer answers = InferenceScoring.answers(mode, cfg.inference().samples());
        String scoring = InferenceScoring.rule(mode, answers);
        Map<Long, Double> acc = new LinkedHashMap<>();
        Map<Long, EvalReport> reports = new LinkedHashMap<>();
        for (long seed : cfg.seeds()) {
            Map<String, Prediction> predictions = new LinkedHashMap<>();
            Map<String, Boolean> verdicts = new LinkedHashMap<>();
            try (ResultsFile results = new ResultsFile(resultsFile(runDir, seed))) {
                for (ObjectNode row : results.readAndRepair()) {
                    predictions.put(row.get("id").asText(), prediction(row));
                    verdicts.put(row.get("id").asText(), Boolean.TRUE.equals(InferenceScoring.correct(row, mode)));
                }
            }
            EvalReport report = InferenceScoring.rescore(Evaluation.evaluate(bench, used, predictions), verdicts);
            ObjectNode mj = Json.object();
            mj.put("benchmark", report.benchmark());
            mj.put("seed", seed);
            scoringFields(mj, mode, answers, scoring);
            mj.put("other_metrics", "accuracy and group accuracies follow the scoring rule; the other metrics (parsed, F1,"
                    + " exact_match) score " + InferenceScoring.otherMetrics(mode));
            mj.setAll(report.toJson());
            writeAtomically(runDir.resolve("metrics-seed-" + seed + ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(mj));
            acc.put(seed, report.accuracy());
            reports.put(seed, report);
        }
        double mean = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double var = acc.size() < 2 ? 0 : acc.values().stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / (acc.size() - 1);
        ObjectNode sj = Json.object();
        sj.put("benchmark", cfg.benchmark());
        sj.put("method", cfg.method());
        sj.put("samples", covered.size());
        if (cfg.shard() != null) sj.put("shard", cfg.shard().toString());
        scoringFields(sj, mode, answers, scoring);
        ObjectNode per = sj.putObject("accuracy_per_seed");
        acc.forEach((k, v) -> per.put(String.valueOf(k), v));
        sj.put("accuracy_mean", mean);
        if (acc.size() < 2) sj.putNull("accuracy_std"); // undefined over one seed
        else sj.put("accuracy_std", Math.sqrt(var));
        writeAtomically(runDir.resolve("summary.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(sj));
        return new Runner.Summary(acc, mean, Math.sqrt(var), reports, scoring);
    }

    /** The inference mode, the number of answers the rule is over and the rule itself (summary.json, metrics-seed-S.json). */
    private static void scoringFields(ObjectNode o, InferenceMode mode, Integer answers, String scoring) {
        o.put("inference", InferenceScoring.key(mode));
        if (answers == null) o.putNull("answers_per_sample");
        else o.put("answers_per_sample", answers);
        o.put("scoring", scoring);
    }

    /** The final prediction recorded in a result line. */
    static Prediction prediction(ObjectNode row) {
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode c : row.path("calls")) calls.add(ToolCall.fromJson(c));
        JsonNode err = row.get("parse_error");
        return new Prediction(row.get("id").asText(), row.path("outputs").path(0).asText(null), calls, err == null || err.isNull() ? null : err.asText());
    }

    /** Replaces a seed's results file with these rows, in sample order (written to a temporary file, then moved over it). */
    public static void writeResults(Path runDir, long seed, List<ObjectNode> rows) throws IOException {
        List<ObjectNode> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(r -> r.get("index").asInt()));
        StringBuilder text = new StringBuilder();
        for (ObjectNode r : sorted) text.append(Json.compact(r)).append('\n');
        writeAtomically(resultsFile(runDir, seed), text.toString());
    }

    /** Writes a file whole, then moves it into place, so a reader or a killed writer never leaves half a file. */
    public static void writeAtomically(Path f, String text) throws IOException {
        Path dir = f.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + f.getFileName(), ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(text);
        }
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Joins the run directories of the N shards of one run ({@code ttsi run --shard I/N}, I = 0..N-1) into the run
     * directory one process would have written: run.json without the shard, every seed's rows in sample order,
     * metrics and summary from them. Refuses shards of different runs, a missing or repeated shard, and a shard that
     * is not finished (naming the samples it lacks).
     */
    public static Runner.Summary mergeShards(List<Path> shardDirs, Path out) throws IOException {
        if (shardDirs.isEmpty()) throw new IllegalArgumentException("merge-shards needs the shard run directories (none given)");
        TreeMap<Integer, Path> byIndex = new TreeMap<>();
        ObjectNode firstConfig = null;
        JsonNode firstRun = null;
        Path firstDir = null;
        int count = -1;
        for (Path d : shardDirs) {
            Path f = d.resolve("run.json");
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException(d + " is not a run directory (no run.json)");
            JsonNode run = Json.MAPPER.readTree(f.toFile());
            JsonNode shard = run.path("config").path("shard");
            if (!shard.isObject()) throw new IllegalArgumentException(f + ": not a shard (config.shard is " + shard + "); run it with --shard I/N");
            int i = shard.path("index").asInt(), n = shard.path("count").asInt();
            ObjectNode config = run.path("config").deepCopy();
            config.remove("shard");
            if (firstConfig == null) {
                firstConfig = config;
                firstRun = run;
                firstDir = d;
                count = n;
            } else {
                if (n != count) throw new IllegalArgumentException(f + ": shard " + i + "/" + n + " is of a split into " + n + ", " + firstDir + " of a split into " + count);
                List<String> diffs = new ArrayList<>();
                for (var it = config.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!config.get(k).equals(firstConfig.get(k))) diffs.add("config." + k + ": " + firstConfig.get(k) + " in " + firstDir + ", " + config.get(k) + " here");
                }
                for (String k : List.of("model_hash", "adapter_hash", "ttsi_version", "data_files")) {
                    if (!run.path("provenance").path(k).equals(firstRun.path("provenance").path(k))) diffs.add("provenance." + k + " differs from " + firstDir);
                }
                if (!diffs.isEmpty()) throw new IllegalArgumentException(f + ": a shard of a different run (" + String.join("; ", diffs) + ")");
            }
            Path dup = byIndex.put(i, d);
            if (dup != null) throw new IllegalArgumentException("shard " + i + "/" + count + " given twice: " + dup + " and " + d);
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < count; i++) if (!byIndex.containsKey(i)) missing.add(i + "/" + count);
        if (!missing.isEmpty()) throw new IllegalArgumentException("merge-shards needs all " + count + " shards; missing " + missing);

        RunConfig cfg;
        try {
            cfg = Json.MAPPER.treeToValue(firstConfig, RunConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(firstDir.resolve("run.json") + ": its config is not one this ttsi writes (" + e.getOriginalMessage()
                    + "); merge shards with the ttsi version that ran them");
        }
        List<Sample> samples = Runner.samples(cfg);
        Files.createDirectories(out);
        if (Files.exists(out.resolve("run.json"))) throw new IllegalArgumentException(out + " already holds a run (run.json); merge into a new directory");
        try (RunDirLock lock = RunDirLock.acquire(out)) {
            for (long seed : cfg.seeds()) {
                Map<Integer, ObjectNode> rows = new TreeMap<>();
                for (var e : byIndex.entrySet()) {
                    Shard shard = new Shard(e.getKey(), count);
                    List<Integer> lacking = new ArrayList<>();
                    Map<Integer, ObjectNode> mine = new TreeMap<>();
                    try (ResultsFile rf = new ResultsFile(resultsFile(e.getValue(), seed))) {
                        for (ObjectNode r : rf.readAndRepair()) {
                            int index = r.get("index").asInt();
                            if (!shard.holds(index) || index >= samples.size() || !samples.get(index).id().equals(r.get("id").asText())) {
                                throw new IllegalArgumentException(resultsFile(e.getValue(), seed) + ": row for sample " + index + " (" + r.get("id").asText()
                                        + ") does not belong to shard " + shard);
                            }
                            if (mine.put(index, r) != null) throw new IllegalArgumentException(resultsFile(e.getValue(), seed) + ": sample " + index + " twice");
                        }
                    }
                    for (int i = shard.index(); i < samples.size(); i += count) if (!mine.containsKey(i)) lacking.add(i);
                    if (!lacking.isEmpty()) {
                        throw new IllegalArgumentException(e.getValue() + ": shard " + shard + " is not finished for seed " + seed + " (" + lacking.size()
                                + " samples missing, e.g. index " + lacking.getFirst() + "); rerun its 'ttsi run --shard " + shard + "' to finish it");
                    }
                    rows.putAll(mine);
                }
                writeResults(out, seed, new ArrayList<>(rows.values()));
            }
            ObjectNode run = Json.object();
            run.set("config", Json.MAPPER.valueToTree(cfg));
            ObjectNode prov = firstRun.path("provenance").deepCopy();
            ArrayNode from = prov.putArray("merged_from");
            byIndex.values().forEach(d -> from.add(d.toAbsolutePath().toString()));
            run.set("provenance", prov);
            writeAtomically(out.resolve("run.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run));
            return finish(cfg, out, samples);
        }
    }
}
