package ttsi.bench.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.json.Json;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.method.SampleOutcome;
import ttsi.agent.method.TestTimeMethod;
import ttsi.agent.method.Uncertainty;
import ttsi.agent.method.Variant;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
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

    /** The configuration this runner runs. */
    public RunConfig config() {
        return cfg;
    }

    private final RunConfig cfg;
    private final Path runDir;
    private final LanguageModel student, teacher;
    private final Benchmark bench;
    private List<Sample> samples;
    private TestTimeMethod method;
    private List<Sample> pool;
    private final Map<Long, Set<String>> drawnForSeed = new HashMap<>();

    public Runner(RunConfig cfg, Path runDir, LanguageModel student, LanguageModel teacher) {
        this.cfg = cfg;
        this.runDir = runDir;
        this.student = student;
        this.teacher = teacher;
        this.bench = Benchmarks.get(cfg.benchmark());
    }

    public TestTimeMethod.Config methodConfig() {
        return new TestTimeMethod.Config(Variant.of(cfg.method()).plan, PromptFormat.of(cfg.format()), cfg.uncertainty(), cfg.synthesis(), cfg.inference());
    }

    /**
     * Runs every sample of the run (of its shard, if it has one) that the run directory does not hold yet, seed after
     * seed, appending each row as it finishes, then writes the metrics and the summary ({@link RunDirectory#finish}).
     */
    public Summary run(Listener listener) throws IOException {
        List<Sample> samples = samples();
        Files.createDirectories(runDir);
        try (RunDirLock lock = RunDirLock.acquire(runDir)) {
            RunDirectory.checkOrWriteRunJson(cfg, runDir, student.id());
            InferenceMode mode = cfg.inference().mode();
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) if (cfg.covers(i)) mine.add(i);
            for (long seed : cfg.seeds()) {
                try (ResultsFile results = new ResultsFile(RunDirectory.resultsFile(runDir, seed))) {
                    Set<String> done = new HashSet<>();
                    int correct = 0;
                    for (ObjectNode row : results.readAndRepair()) {
                        done.add(row.get("id").asText());
                        if (Boolean.TRUE.equals(InferenceScoring.correct(row, mode))) correct++;
                    }
                    listener.seedStarted(seed, mine.size(), done.size());
                    for (int i : mine) {
                        Sample s = samples.get(i);
                        if (done.contains(s.id())) continue;
                        ObjectNode row = sample(i, seed);
                        results.append(row);
                        done.add(s.id());
                        if (Boolean.TRUE.equals(InferenceScoring.correct(row, mode))) correct++;
                        listener.sampleDone(seed, done.size(), mine.size(), correct);
                    }
                }
            }
            return RunDirectory.finish(cfg, runDir, samples);
        }
    }

    /** The run's samples in benchmark order (the first --limit of them), whatever its shard. */
    public List<Sample> samples() {
        if (samples == null) samples = samples(cfg);
        return samples;
    }

    /** The samples a configuration runs over, in benchmark order (the first --limit of them), whatever its shard. */
    public static List<Sample> samples(RunConfig cfg) {
        Dataset data = Benchmarks.get(cfg.benchmark()).load(cfg.dataDir());
        return List.copyOf(cfg.limit() > 0 && cfg.limit() < data.size() ? data.samples().subList(0, cfg.limit()) : data.samples());
    }

    /** Reasoning text kept per teacher exchange in a row (the rest is cut, with its length noted). */
    static final int TEACHER_REASONING_CHARS = 4000;

    /**
     * Algorithm 1 on one sample, by its 0-based index among {@link #samples()}, for one seed: the row the run
     * directory holds for it. The same row (but its timings) whichever process, shard or order runs it: its randomness
     * comes from (seed, index) alone, and the student is reset after every adaptation.
     */
    public synchronized ObjectNode sample(int index, long seed) throws IOException {
        Sample s = samples().get(index);
        Set<String> drawn = prepareSeed(seed);
        long sampleSeed = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index).nextLong();
        long t0 = System.nanoTime();
        SampleOutcome o;
        ArrayNode teacherExchanges = null;
        // What an HTTP teacher was sent and returned for this input (TT-D), kept with the row.
        TestTimeMethod.Input x = method.input(s.conversation(), s.tools(), s.gold(), demos(pool, s, sampleSeed));
        if (teacher instanceof OpenAiModel om) {
            try (OpenAiModel.Recording rec = om.record()) {
                o = method.run(x, drawn.contains(s.id()), sampleSeed);
                teacherExchanges = rec.toJson(TEACHER_REASONING_CHARS);
            }
        } else {
            o = method.run(x, drawn.contains(s.id()), sampleSeed);
        }
        double total = (System.nanoTime() - t0) / 1e9;
        ObjectNode row = row(bench, s, index, seed, o, total);
        if (teacherExchanges != null && row.get("synthesis").isObject()) ((ObjectNode) row.get("synthesis")).set("teacher", teacherExchanges);
        return row;
    }

    /** One result line: everything the method did, the verdict and the timings. */
    private ObjectNode row(Benchmark bench, Sample s, int index, long seed, SampleOutcome o, double totalSeconds) {
        ObjectNode r = Json.object();
        r.put("id", s.id());
        r.put("index", index);
        r.put("seed", seed);
        r.put("benchmark", bench.name());
        r.put("method", cfg.method());
        r.put("inference", cfg.inference().mode().key);
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
        r.put("correct", InferenceScoring.correct(r, cfg.inference().mode()));
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

    /**
     * What a seed needs before its samples run: for RANDOM, the draw of inputs to adapt (H over every sample, saved in
     * the run directory, so that every process of a run finds it there instead of drawing again). Returns that draw
     * (empty for the other variants).
     */
    public synchronized Set<String> prepareSeed(long seed) {
        if (method == null) {
            method = new TestTimeMethod(student, teacher, methodConfig());
            pool = iclPool();
        }
        return Variant.of(cfg.method()) == Variant.RANDOM ? drawnForSeed.computeIfAbsent(seed, this::randomDraw) : Set.of();
    }

    /** Where RANDOM's draw for a seed is saved. */
    public static Path randomDrawFile(Path runDir, long seed) {
        return runDir.resolve("random-draw-seed-" + seed + ".json");
    }

    /** RANDOM: as many inputs as H marks uncertain, drawn at random (seeded); saved so a resumed run draws the same. */
    private Set<String> randomDraw(long seed) {
        try {
            return randomDrawOrThrow(seed);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Set<String> randomDrawOrThrow(long seed) throws IOException {
        List<Sample> samples = samples();
        Path f = randomDrawFile(runDir, seed);
        if (Files.exists(f)) {
            Set<String> ids = new HashSet<>();
            Json.MAPPER.readTree(f.toFile()).path("drawn").forEach(n -> ids.add(n.asText()));
            return ids;
        }
        int uncertain = 0;
        for (Sample s : samples) {
            if (method.estimate(method.input(s.conversation(), s.tools()), seed).uncertainty().uncertain()) uncertain++;
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
        // Written whole and then moved into place: shards and Spark tasks of one run may draw at the same time (the
        // same draw, as it depends on the seed alone).
        RunDirectory.writeAtomically(f, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o));
        return new HashSet<>(drawn);
    }

    /** The ICL demonstration pool (only for the ICL variant): a training or dev split. */
    private List<Sample> iclPool() {
        if (Variant.of(cfg.method()) != Variant.ICL) return List.of();
        String pool = cfg.icl().pool() != null ? cfg.icl().pool() : defaultPool(cfg.benchmark(), cfg.dataDir());
        if (pool == null) {
            throw new IllegalArgumentException("no training or dev split is known for '" + cfg.benchmark()
                    + "'; pass --icl-pool NAME (a benchmark from 'ttsi data list' to draw demonstrations from)");
        }
        Benchmark b = Benchmarks.get(pool);
        if (cfg.icl().pool() == null && !b.available(cfg.dataDir())) {
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
        while (out.size() < Math.min(cfg.icl().shots(), pool.size()) && used.size() < pool.size()) {
            int j = rnd.nextInt(pool.size());
            if (!used.add(j) || pool.get(j).id().equals(s.id())) continue;
            out.add(new PromptFormat.Demo(pool.get(j).conversation(), pool.get(j).gold()));
        }
        return out;
    }
}
