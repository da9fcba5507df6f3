package ttsi.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.method.SampleOutcome;
import ttsi.agent.method.TestTimeMethod;
import ttsi.agent.method.Uncertainty;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.agent.method.Variant;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.Json;
import ttsi.agent.tools.Prediction;
import ttsi.agent.tools.Sample;
import ttsi.agent.tools.ToolCall;
import ttsi.bench.Benchmark;
import ttsi.bench.Benchmarks;
import ttsi.bench.data.Dataset;
import ttsi.bench.score.EvalReport;
import ttsi.bench.score.Evaluation;
import ttsi.bench.score.InferenceScoring;

/**
 * Runs a method over a benchmark for one or more seeds, writing one JSON line per sample as it finishes into
 * RUN_DIR/results-seed-S.jsonl. run.json records the configuration and where the inputs came from; a killed run
 * resumes where it stopped (same configuration, model and data required) with nothing lost or duplicated.
 */
public final class Runner {

    /** Progress callbacks (for progress bars). */
    public interface Listener {
        default void seedStarted(long seed, int total, int alreadyDone) {}

        default void sampleDone(long seed, int done, int total, int correct) {}
    }

    /**
     * Accuracy of each seed and their mean ± sample standard deviation, every sample scored by the run's inference mode
     * ({@link InferenceScoring}); {@code scoring} is that rule in words.
     */
    public record Summary(Map<Long, Double> accuracy, double mean, double std, Map<Long, EvalReport> reports, String scoring) {}

    private final RunConfig cfg;
    private final Path runDir;
    private final LanguageModel student, teacher;

    public Runner(RunConfig cfg, Path runDir, LanguageModel student, LanguageModel teacher) {
        this.cfg = cfg;
        this.runDir = runDir;
        this.student = student;
        this.teacher = teacher;
    }

    public TestTimeMethod.Config methodConfig() {
        return new TestTimeMethod.Config(Variant.of(cfg.method()), PromptFormat.of(cfg.format()),
                new UncertaintyEstimator.Options(cfg.tau(), cfg.meanScores(), UncertaintyEstimator.SingleTool.valueOf(cfg.singleTool().toUpperCase()), cfg.samples()),
                new DataSynthesizer.Options(cfg.k(), cfg.maxAttempts(), new GenerationOptions(cfg.maxTokens(), cfg.synthesisTemperature(), 0.95, 0, 0, List.of()),
                        DataSynthesizer.Context.of(cfg.synthesisContext())),
                InferenceMode.of(cfg.inference()), cfg.samples(), cfg.sampleTemperature(), cfg.maxTokens());
    }

    public Summary run(Listener listener) throws IOException {
        Benchmark bench = Benchmarks.get(cfg.benchmark());
        Dataset data = bench.load(cfg.dataDir());
        List<Sample> samples = cfg.limit() > 0 && cfg.limit() < data.size() ? data.samples().subList(0, cfg.limit()) : data.samples();
        Dataset used = new Dataset(data.name(), data.source(), samples, List.of());
        Files.createDirectories(runDir);
        try (RunDirLock lock = RunDirLock.acquire(runDir)) {
            return run(bench, samples, used, listener);
        }
    }

    /** Reasoning text kept per teacher exchange in a row (the rest is cut, with its length noted). */
    static final int TEACHER_REASONING_CHARS = 4000;

    private Summary run(Benchmark bench, List<Sample> samples, Dataset used, Listener listener) throws IOException {
        checkOrWriteRunJson(bench);
        TestTimeMethod method = new TestTimeMethod(student, teacher, methodConfig());
        List<Sample> pool = iclPool();

        // One rule per inference mode scores every sample, in the progress bar, the metrics files and the summary.
        InferenceMode mode = InferenceMode.of(cfg.inference());
        Integer answers = InferenceScoring.answers(mode, cfg.samples());
        String scoring = InferenceScoring.rule(mode, answers);
        Map<Long, Double> acc = new LinkedHashMap<>();
        Map<Long, EvalReport> reports = new LinkedHashMap<>();
        for (long seed : cfg.seeds()) {
            try (ResultsFile results = new ResultsFile(runDir.resolve("results-seed-" + seed + ".jsonl"))) {
                Map<String, Prediction> predictions = new LinkedHashMap<>();
                Map<String, Boolean> verdicts = new LinkedHashMap<>();
                int correct = 0;
                for (ObjectNode row : results.readAndRepair()) {
                    predictions.put(row.get("id").asText(), prediction(row));
                    boolean ok = Boolean.TRUE.equals(InferenceScoring.correct(row, mode));
                    verdicts.put(row.get("id").asText(), ok);
                    if (ok) correct++;
                }
                listener.seedStarted(seed, samples.size(), predictions.size());
                Set<String> drawn = Variant.of(cfg.method()) == Variant.RANDOM ? randomDraw(method, samples, seed) : Set.of();
                for (int i = 0; i < samples.size(); i++) {
                    Sample s = samples.get(i);
                    if (predictions.containsKey(s.id())) continue;
                    long sampleSeed = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i).nextLong();
                    long t0 = System.nanoTime();
                    SampleOutcome o;
                    ArrayNode teacherExchanges = null;
                    // What an HTTP teacher was sent and returned for this input (TT-D), kept with the row.
                    if (teacher instanceof OpenAiModel om) {
                        try (OpenAiModel.Recording rec = om.record()) {
                            o = method.run(s, demos(pool, s, sampleSeed), drawn.contains(s.id()), sampleSeed);
                            teacherExchanges = rec.toJson(TEACHER_REASONING_CHARS);
                        }
                    } else {
                        o = method.run(s, demos(pool, s, sampleSeed), drawn.contains(s.id()), sampleSeed);
                    }
                    double total = (System.nanoTime() - t0) / 1e9;
                    ObjectNode row = row(bench, s, i, seed, o, total);
                    if (teacherExchanges != null && row.get("synthesis").isObject()) ((ObjectNode) row.get("synthesis")).set("teacher", teacherExchanges);
                    results.append(row);
                    predictions.put(s.id(), prediction(row));
                    boolean ok = Boolean.TRUE.equals(InferenceScoring.correct(row, mode));
                    verdicts.put(s.id(), ok);
                    if (ok) correct++;
                    listener.sampleDone(seed, predictions.size(), samples.size(), correct);
                }
                EvalReport report = InferenceScoring.rescore(Evaluation.evaluate(bench, used, predictions), verdicts);
                ObjectNode mj = Json.object();
                mj.put("benchmark", report.benchmark());
                mj.put("seed", seed);
                scoringFields(mj, mode, answers, scoring);
                mj.put("other_metrics", "accuracy and group accuracies follow the scoring rule; the other metrics (parsed, F1,"
                        + " exact_match) score " + InferenceScoring.otherMetrics(mode));
                mj.setAll(report.toJson());
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(runDir.resolve("metrics-seed-" + seed + ".json").toFile(), mj);
                acc.put(seed, report.accuracy());
                reports.put(seed, report);
            }
        }
        double mean = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double var = acc.size() < 2 ? 0 : acc.values().stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / (acc.size() - 1);
        Summary summary = new Summary(acc, mean, Math.sqrt(var), reports, scoring);
        ObjectNode sj = Json.object();
        sj.put("benchmark", cfg.benchmark());
        sj.put("method", cfg.method());
        sj.put("samples", samples.size());
        scoringFields(sj, mode, answers, scoring);
        ObjectNode per = sj.putObject("accuracy_per_seed");
        acc.forEach((k, v) -> per.put(String.valueOf(k), v));
        sj.put("accuracy_mean", mean);
        if (acc.size() < 2) sj.putNull("accuracy_std"); // undefined over one seed
        else sj.put("accuracy_std", Math.sqrt(var));
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(runDir.resolve("summary.json").toFile(), sj);
        return summary;
    }

    /** The inference mode, the number of answers the rule is over and the rule itself (summary.json, metrics-seed-S.json). */
    private static void scoringFields(ObjectNode o, InferenceMode mode, Integer answers, String scoring) {
        o.put("inference", InferenceScoring.key(mode));
        if (answers == null) o.putNull("answers_per_sample");
        else o.put("answers_per_sample", answers);
        o.put("scoring", scoring);
    }

    /** One result line: everything the method did, the verdict and the timings. */
    private ObjectNode row(Benchmark bench, Sample s, int index, long seed, SampleOutcome o, double totalSeconds) {
        ObjectNode r = Json.object();
        r.put("id", s.id());
        r.put("index", index);
        r.put("seed", seed);
        r.put("benchmark", bench.name());
        r.put("method", cfg.method());
        r.put("inference", InferenceMode.of(cfg.inference()).key);
        Uncertainty u = o.uncertainty();
        ObjectNode un = r.putObject("uncertainty");
        un.put("margin", u.margin());
        un.put("uncertain", u.uncertain());
        un.put("tau", u.tau());
        un.put("top", u.top());
        if (u.reason() != null) un.put("reason", u.reason());
        ArrayNode cands = un.putArray("candidates");
        for (int i = 0; i < u.candidates().size(); i++) {
            ObjectNode c = cands.addObject();
            c.put("name", u.candidates().get(i));
            c.put("score", u.scores()[i]);
            c.put("probability", u.probabilities()[i]);
        }
        r.put("adapted", o.adapted());
        if (o.synthesis() != null) {
            ObjectNode sy = r.putObject("synthesis");
            ArrayNode pairs = sy.putArray("pairs");
            for (DataSynthesizer.Pair p : o.synthesis().pairs()) {
                ObjectNode pj = pairs.addObject();
                pj.put("query", p.query());
                pj.set("calls", calls(p.calls()));
            }
            ArrayNode raw = sy.putArray("raw");
            o.synthesis().raw().forEach(raw::add);
            ArrayNode rej = sy.putArray("rejections");
            o.synthesis().rejections().forEach(rej::add);
            sy.put("attempts", o.synthesis().attempts());
        } else {
            r.putNull("synthesis");
        }
        ArrayNode losses = r.putArray("train_losses");
        for (double l : o.losses()) losses.add(l);
        ArrayNode outs = r.putArray("outputs");
        o.outputs().forEach(outs::add);
        ArrayNode parsed = r.putArray("parsed_calls");
        for (List<ToolCall> pc : o.parsedCalls()) parsed.add(calls(pc));
        ArrayNode errs = r.putArray("parse_errors");
        o.parseErrors().forEach(errs::add);
        r.set("calls", calls(o.finalCalls()));
        if (o.finalParseError() != null) r.put("parse_error", o.finalParseError());
        else r.putNull("parse_error");
        r.set("gold", calls(s.gold()));

        // Verdicts: the final answer (greedy, majority or first sampled), and whether any answer is right; "correct" is
        // the one the run's mode counts (InferenceScoring: final_correct for direct and majority, any_correct for pass@k).
        Dataset one = new Dataset(bench.name(), null, List.of(s), List.of());
        var verdict = Evaluation.evaluate(bench, one, Map.of(s.id(), new Prediction(s.id(), o.outputs().get(0), o.finalCalls(), o.finalParseError()))).results().get(0);
        boolean any = false;
        for (int i = 0; i < o.outputs().size(); i++) {
            Prediction p = new Prediction(s.id(), o.outputs().get(i), o.parsedCalls().get(i), o.parseErrors().get(i));
            any |= Evaluation.evaluate(bench, one, Map.of(s.id(), p)).results().get(0).correct();
        }
        r.put("correct", false); // set below, in this place among the fields
        r.put("final_correct", verdict.correct());
        r.put("any_correct", any);
        r.put("correct", InferenceScoring.correct(r, InferenceMode.of(cfg.inference())));
        if (verdict.reason() != null) r.put("reason", verdict.reason());
        ObjectNode sec = r.putObject("seconds");
        o.seconds().forEach(sec::put);
        sec.put("total", totalSeconds);
        return r;
    }

    static ArrayNode calls(List<ToolCall> calls) {
        ArrayNode a = Json.array();
        for (ToolCall c : calls) a.add(c.toJson());
        return a;
    }

    /** The final prediction recorded in a result line. */
    static Prediction prediction(ObjectNode row) {
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode c : row.path("calls")) calls.add(ToolCall.fromJson(c));
        JsonNode err = row.get("parse_error");
        return new Prediction(row.get("id").asText(), row.path("outputs").path(0).asText(null), calls, err == null || err.isNull() ? null : err.asText());
    }

    /** RANDOM: as many inputs as H marks uncertain, drawn at random (seeded); saved so a resumed run draws the same. */
    private Set<String> randomDraw(TestTimeMethod method, List<Sample> samples, long seed) throws IOException {
        Path f = runDir.resolve("random-draw-seed-" + seed + ".json");
        if (Files.exists(f)) {
            Set<String> ids = new HashSet<>();
            Json.MAPPER.readTree(f.toFile()).path("drawn").forEach(n -> ids.add(n.asText()));
            return ids;
        }
        UncertaintyEstimator est = new UncertaintyEstimator(method.config().uncertainty());
        PromptFormat fmt = method.config().format();
        int uncertain = 0;
        for (Sample s : samples) {
            if (est.estimate(student, fmt, fmt.messages(s.conversation(), s.tools(), List.of()), s.tools(), seed).uncertain()) uncertain++;
        }
        List<String> ids = new ArrayList<>(samples.stream().map(Sample::id).toList());
        SplittableRandom rnd = new SplittableRandom(seed ^ 0xD1B54A32D192ED03L);
        for (int i = ids.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            String t = ids.get(i);
            ids.set(i, ids.get(j));
            ids.set(j, t);
        }
        List<String> drawn = ids.subList(0, uncertain);
        ObjectNode o = Json.object();
        o.put("uncertain_count", uncertain);
        ArrayNode d = o.putArray("drawn");
        drawn.forEach(d::add);
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), o);
        return new HashSet<>(drawn);
    }

    /** The ICL demonstration pool (only for the ICL variant): a training or dev split. */
    private List<Sample> iclPool() {
        if (Variant.of(cfg.method()) != Variant.ICL) return List.of();
        String pool = cfg.iclPool() != null ? cfg.iclPool() : defaultPool(cfg.benchmark(), cfg.dataDir());
        if (pool == null) {
            throw new IllegalArgumentException("no training or dev split is known for '" + cfg.benchmark()
                    + "'; pass --icl-pool NAME (a benchmark from 'ttsi data list' to draw demonstrations from)");
        }
        Benchmark b = Benchmarks.get(pool);
        if (cfg.iclPool() == null && !b.available(cfg.dataDir())) {
            throw new IllegalArgumentException("ICL draws its demonstrations from " + pool + " (the training split of " + cfg.benchmark() + "), which is not in "
                    + cfg.dataDir() + ": run 'ttsi data fetch " + pool + "', or pass --icl-pool NAME (a benchmark from 'ttsi data list')");
        }
        return b.load(cfg.dataDir()).samples();
    }

    /**
     * Where the ICL demonstrations come from by default: the benchmark's official training split (the paper draws them
     * from it), or, for the Seal-Tools sets when their training split is not in the data folder, the official dev split.
     * NexusRaven publishes no training split: null.
     */
    public static String defaultPool(String benchmark, Path dataDir) {
        if (benchmark.startsWith("toolshift")) return "toolshift-train";
        if (benchmark.startsWith("sealtool")) {
            return dataDir != null && Benchmarks.get("sealtool-train").available(dataDir) ? "sealtool-train" : "sealtool-dev";
        }
        if (benchmark.startsWith("apibank-l1")) return "apibank-l1-train";
        if (benchmark.startsWith("apibank-l2")) return "apibank-l2-train";
        if (benchmark.startsWith("toolalpaca")) return "toolalpaca-train";
        return null;
    }

    private List<PromptFormat.Demo> demos(List<Sample> pool, Sample s, long seed) {
        if (pool.isEmpty()) return List.of();
        SplittableRandom rnd = new SplittableRandom(seed);
        List<PromptFormat.Demo> out = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        while (out.size() < Math.min(cfg.iclShots(), pool.size()) && used.size() < pool.size()) {
            int j = rnd.nextInt(pool.size());
            if (!used.add(j) || pool.get(j).id().equals(s.id())) continue;
            out.add(new PromptFormat.Demo(pool.get(j).conversation(), pool.get(j).gold()));
        }
        return out;
    }

    private void checkOrWriteRunJson(Benchmark bench) throws IOException {
        ObjectNode config = Json.MAPPER.valueToTree(cfg);
        ObjectNode prov = Json.object();
        prov.put("ttsi_version", Provenance.VERSION);
        prov.put("model_path", cfg.model() == null ? student.id() : cfg.model().toAbsolutePath().toString());
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
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), run);
    }
}
