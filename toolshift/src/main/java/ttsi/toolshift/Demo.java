package ttsi.toolshift;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.tools.Json;
import ttsi.agent.tools.Sample;
import ttsi.bench.report.Report;
import ttsi.bench.report.RunLoader;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.Runner;
import ttsi.engine.format.FormatException;
import ttsi.engine.model.Model;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.LoraTrainer;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;

/**
 * {@code ttsi demo}: the experiment of the ToolShift world on the committed student and teacher. On the shifted
 * test set, over several seeds: base, ICL, SFT on the in-domain split, TT-SI, TT-D, TT-SI+ICL, all samples,
 * certain-only, random selection and the gold-label upper bound; TT-SI with K = 2 and 4; then the report of
 * {@code ttsi report} (its τ sweep comes from the all-samples and base runs). Every run is an ordinary
 * {@code ttsi run} directory under OUT/runs, so a killed demo resumes where it stopped.
 */
public final class Demo {
    /** What to run. */
    public record Options(Path models, Path out, int limit, int seeds, List<Integer> ks, double tau, int epochs, double learningRate,
                          int sftEpochs, double sftLearningRate, int maxTokens) {}

    /** One run of the demo: its directory name, method, model and K. */
    public record Job(String name, String method, boolean sft, int k) {}

    /** Callbacks for progress display. */
    public interface Listener extends Runner.Listener {
        default void jobStarted(Job job, int index, int total) {}

        default void sftStep(LoraTrainer.StepReport r) {}

        default void note(String message) {}
    }

    private final Options o;

    public Demo(Options o) {
        this.o = o;
    }

    public static List<Job> jobs(List<Integer> ks) {
        List<Job> jobs = new ArrayList<>(List.of(
                new Job("base", "base", false, 1),
                new Job("icl", "icl", false, 1),
                new Job("sft", "base", true, 1),
                new Job("tt-si", "tt-si", false, 1),
                new Job("tt-d", "tt-d", false, 1),
                new Job("tt-si-icl", "tt-si-icl", false, 1),
                new Job("all", "all", false, 1),
                new Job("certain-only", "certain-only", false, 1),
                new Job("random", "random", false, 1),
                new Job("gold-upper-bound", "gold-upper-bound", false, 1)));
        for (int k : ks) if (k != 1) jobs.add(new Job("tt-si-k" + k, "tt-si", false, k));
        return jobs;
    }

    public Path student() {
        return o.models().resolve("student");
    }

    public Path teacher() {
        return o.models().resolve("teacher");
    }

    /** Runs every job (skipping finished ones) and writes the report; returns the report's files. */
    public List<Path> run(Listener listener) throws IOException {
        if (!Files.isRegularFile(student().resolve("training.json"))) {
            throw new FormatException(student(), "no trained ToolShift student here (expected config.json and training.json; train one with 'ttsi toolshift train --out " + o.models() + "')");
        }
        boolean hasTeacher = Files.isRegularFile(teacher().resolve("training.json"));
        if (!hasTeacher) listener.note("no trained teacher in " + teacher() + ": TT-D is skipped ('ttsi toolshift train --only teacher' trains it)");
        long seed = Json.MAPPER.readTree(student().resolve("training.json").toFile()).path("seed").asLong(1);
        Path dataDir = o.out().resolve("data");
        ToolShift.Data data = ToolShift.generate(ToolShift.Config.defaults(seed));
        if (!Files.isRegularFile(dataDir.resolve("toolshift").resolve("manifest.json"))) ToolShift.write(data, dataDir.resolve("toolshift"));
        Path sftModel = o.out().resolve("sft-model");
        List<Job> jobs = jobs(o.ks()).stream().filter(j -> hasTeacher || !j.method().equals("tt-d")).toList();
        List<Long> seeds = LongStream.range(0, o.seeds()).boxed().toList();
        try (EmbeddedModel student = open(student()); EmbeddedModel teacher = hasTeacher ? open(teacher()) : null) {
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                listener.jobStarted(job, i, jobs.size());
                if (job.sft() && !Files.isRegularFile(sftModel.resolve("training.json"))) trainSft(data, sftModel, listener);
                RunConfig cfg = new RunConfig(job.sft() ? sftModel : student(), "toolshift", dataDir, job.method(), "native", o.tau(), false,
                        "certain", job.k(), 3, 0.7, "direct", 5, 0.7, o.maxTokens(), seeds, o.limit(), null, 3, o.epochs(), o.learningRate(), 8, 16,
                        null, job.method().equals("tt-d") ? teacher().toString() : null);
                if (job.sft()) {
                    try (EmbeddedModel sft = open(sftModel)) {
                        new Runner(cfg, o.out().resolve("runs").resolve(job.name()), sft, null).run(listener);
                    }
                } else {
                    new Runner(cfg, o.out().resolve("runs").resolve(job.name()), student, teacher).run(listener);
                }
            }
        }
        return Report.of(RunLoader.load(List.of(o.out().resolve("runs")))).write(o.out().resolve("report"));
    }

    /** A model with the paper's LoRA (r 8, α 16, all linear layers) and test-time training at the demo's epochs and lr. */
    private EmbeddedModel open(Path dir) {
        TrainConfig train = TrainConfig.paperDefaults().withEpochs(o.epochs()).withLearningRate(o.learningRate());
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), train);
    }

    /**
     * The SFT baseline: the student fine-tuned (all parameters) on the in-domain dev split's answering examples,
     * saved as its own checkpoint folder.
     */
    private void trainSft(ToolShift.Data data, Path dir, Listener listener) throws IOException {
        List<ObjectNode> records = new ArrayList<>();
        for (Sample s : data.dev()) records.add(ToolShift.answeringRecord(s, PromptFormat.NATIVE));
        List<TrainingExample> examples = Recipe.examples(records, student(), false);
        TrainConfig tc = new TrainConfig(o.sftEpochs(), 8, 1, o.sftLearningRate(), 0.03, "cosine", 0.0, 1.0, true, 0);
        List<LoraTrainer.StepReport> steps = Recipe.fineTune(student(), examples, tc, dir, listener::sftStep).steps();
        ObjectNode info = Json.object();
        info.put("base", student().toString());
        info.put("data", "toolshift-dev (" + examples.size() + " in-domain answering examples)");
        info.set("train", Json.MAPPER.valueToTree(tc));
        info.put("final_loss", steps.getLast().loss());
        Files.writeString(dir.resolve("training.json"), info.toPrettyString() + "\n");
    }
}
