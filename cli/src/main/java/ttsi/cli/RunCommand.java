package ttsi.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.agent.model.LanguageModel;
import ttsi.bench.data.DataDirs;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.Runner;
import ttsi.bench.run.Shard;
import ttsi.engine.tensor.DType;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.LoraMerge;
import ttsi.engine.train.TrainConfig;

@Command(name = "run", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Run a method over a benchmark: one JSON line per sample in OUT/results-seed-S.jsonl as it finishes.",
        "A killed run resumes where it stopped when started again with the same options."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the student: a Hugging Face checkpoint folder") Path model;
    @Option(names = "--adapter", description = "a PEFT LoRA adapter folder (e.g. from 'ttsi finetune') merged into the student for every sample; "
            + "test-time LoRA trains on top and resets to base+adapter (default: none)") Path adapter;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;
    @Option(names = "--benchmark", required = true, description = "a name from 'ttsi data list'") String benchmark;
    @Option(names = "--data-dir", description = "benchmark data folder (default: shared/data beside the checkout)") Path dataDir;
    @Option(names = "--method", defaultValue = "tt-si", description = "base, icl, tt-si, tt-d, tt-si-icl, all, certain-only, random, gold-upper-bound") String method;
    @Option(names = "--out", required = true, description = "run directory") Path out;
    @Option(names = "--format", defaultValue = "native", description = "native (the model's chat template with tools) or json-list") String format;
    @Mixin UncertaintyOptions uncertaintyOptions;
    @Option(names = "--mean-scores", description = "average candidate log-probs over tokens instead of summing") boolean meanScores;
    @Option(names = "--single-tool", defaultValue = "certain", description = "one candidate tool: certain (paper) or sampled") String singleTool;
    @Mixin SynthesisOptions synthesisOptions;
    @Option(names = "--inference", defaultValue = "direct", description = "direct, majority or pass@k") String inference;
    @Option(names = "--samples", defaultValue = "" + Answering.SAMPLES, description = "answers sampled for majority / pass@k") int samples;
    @Option(names = "--sample-temperature", defaultValue = "" + Answering.SAMPLE_TEMPERATURE, description = "temperature of the answers sampled for majority / pass@k") double sampleTemperature;
    @Option(names = "--max-tokens", defaultValue = "" + Answering.MAX_TOKENS, description = "longest generation, tokens (answers and synthesis)") int maxTokens;
    @Option(names = "--seeds", defaultValue = "1", description = "number of seeds (0, 1, ...); results are reported as mean ± std") int seeds;
    @Option(names = "--seed", defaultValue = "0", description = "first seed") long firstSeed;
    @Option(names = "--limit", defaultValue = "0", description = "only the first N samples (0: all)") int limit;
    @Option(names = "--icl-pool", description = "benchmark to draw ICL demonstrations from (default: its training/dev split where known)") String iclPool;
    @Option(names = "--icl-shots", defaultValue = "" + RunConfig.ICL_SHOTS, description = "demonstrations in an ICL prompt") int iclShots;
    /** Test-time training of the student, and its adapter. */
    @Mixin TrainingOptions trainingOptions;
    @Mixin LoraOptions loraOptions;
    @Option(names = "--synthesis-context", defaultValue = "dialogue", description = "multi-turn inputs: train each synthetic pair inside the "
            + "input's dialogue (dialogue) or as a request alone (single-turn)") String synthesisContext;
    @Mixin TeacherOptions teacherOptions;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;
    @Option(names = "--shard", description = "run only shard I of N (I = 0..N-1: the samples whose index is I mod N), for array jobs "
            + "(Kubernetes indexed Jobs, Slurm arrays); join the N run directories with 'ttsi merge-shards' (default: all samples)") String shard;

    /** The student and (for TT-D) the teacher the options name, open; closing closes both. */
    public record Models(EmbeddedModel student, LanguageModel teacher) implements AutoCloseable {
        @Override
        public void close() {
            try (LanguageModel t = teacher) {
                student.close();
            }
        }
    }

    /**
     * These options parsed from command-line arguments (those of 'ttsi run', without the command name): the Spark
     * job takes them as they are, on the driver and again on each executor.
     */
    public static RunCommand parse(String... args) {
        RunCommand c = new RunCommand();
        new picocli.CommandLine(c).parseArgs(args);
        return c;
    }

    /** The run directory (--out). */
    public Path out() {
        return out;
    }

    /** --threads, or null (all cores). */
    public Integer threads() {
        return threads;
    }

    /**
     * Loads the student (with --adapter merged, in --dtype) and opens the teacher when the method is TT-D. The student
     * is built with the run's own LoRA and training configs: run.json records the objects that are used.
     */
    public Models open(RunConfig cfg) throws java.io.IOException {
        EmbeddedModel student = new EmbeddedModel(LoraMerge.load(model, adapter, dtypeOption.parsed()), cfg.lora(), cfg.training());
        try {
            return new Models(student, method.equalsIgnoreCase("tt-d") ? teacherOptions.open() : null);
        } catch (RuntimeException e) {
            student.close();
            throw e;
        }
    }

    /** The run's settings from the options, every one checked: what run.json records and what the run uses. */
    public RunConfig config() {
        OptionChecks.atLeast("--samples", samples, 1);
        OptionChecks.nonNegative("--sample-temperature", sampleTemperature);
        OptionChecks.atLeast("--max-tokens", maxTokens, 1);
        OptionChecks.atLeast("--seeds", seeds, 1);
        OptionChecks.atLeast("--limit", limit, 0);
        OptionChecks.atLeast("--icl-shots", iclShots, 0);
        if (threads != null) OptionChecks.atLeast("--threads", threads, 1);
        List<Long> seedList = new ArrayList<>();
        for (int i = 0; i < seeds; i++) seedList.add(firstSeed + i);
        DType weights = dtypeOption.parsed();
        // Every option is checked before the data folder is looked for, so a bad number is named even where none is found.
        UncertaintyEstimator.Options h = new UncertaintyEstimator.Options(uncertaintyOptions.tau(), meanScores, singleTool(), samples);
        DataSynthesizer.Options g = synthesisOptions.checked().config(maxTokens, DataSynthesizer.Context.of(synthesisContext));
        Answering answering = new Answering(InferenceMode.of(inference), samples, sampleTemperature, maxTokens);
        LoraConfig lora = loraOptions.config();
        TrainConfig training = trainingOptions.config();
        return RunConfig.defaults(model, benchmark, DataDirs.resolve(dataDir), method)
                .withUncertainty(h)
                .withSynthesis(g)
                .withInference(answering)
                .withIcl(new RunConfig.Icl(iclPool, iclShots))
                .withAdaptation(lora, training)
                .withTeacher(new RunConfig.Teacher(teacherOptions.url, teacherOptions.model))
                .withStudent(adapter, weights == null ? null : weights.name().toLowerCase(java.util.Locale.ROOT))
                .withSamples(seedList, limit)
                .withShard(shard == null ? null : Shard.parse(shard))
                .withFormat(format);
    }

    private UncertaintyEstimator.SingleTool singleTool() {
        try {
            return UncertaintyEstimator.SingleTool.valueOf(singleTool.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--single-tool must be certain or sampled, got " + singleTool);
        }
    }

    @Override
    public Integer call() throws Exception {
        RunConfig cfg = config();
        if (threads != null) Parallel.setGlobalThreads(threads);
        try (Models models = open(cfg)) {
            Runner runner = new Runner(cfg, out, models.student(), models.teacher());
            Runner.Summary summary;
            ProgressBar[] bar = new ProgressBar[1];
            String[] resumed = {""};
            try {
                summary = runner.run(new Runner.Listener() {
                    @Override
                    public void seedStarted(long seed, int total, int alreadyDone) {
                        if (bar[0] != null) bar[0].close();
                        bar[0] = Bars.samples(method + " seed " + seed, total, alreadyDone);
                        resumed[0] = alreadyDone > 0 ? "resumed at " + alreadyDone : "";
                        bar[0].setExtraMessage(Bars.extra(resumed[0]));
                    }

                    @Override
                    public void sampleDone(long seed, int done, int total, int correct) {
                        bar[0].stepTo(done);
                        bar[0].setExtraMessage(Bars.extra(Bars.accuracy(correct, done), resumed[0]));
                    }
                });
            } finally {
                if (bar[0] != null) bar[0].close();
            }
            int n = summary.accuracy().size();
            // A std over one seed is undefined: n/a, as in the reports.
            System.out.printf("%s on %s%s: accuracy %.2f%% ± %s over %d %s; results in %s%n", method, benchmark,
                    cfg.shard() == null ? "" : " (shard " + cfg.shard() + ")", 100 * summary.mean(),
                    n < 2 ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", 100 * summary.std()), n, n == 1 ? "seed" : "seeds", out);
            // The same rule as summary.json, metrics-seed-*.json and 'ttsi report' (InferenceScoring).
            System.out.println("scoring: " + summary.scoring());
        }
        return 0;
    }
}
