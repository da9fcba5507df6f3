package ttsi.toolshift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;
import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.bench.data.Sample;
import ttsi.bench.report.Report;
import ttsi.bench.report.RunLoader;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.Runner;
import ttsi.engine.format.FormatException;
import ttsi.engine.model.Model;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.StepReport;
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

    /** One run of the demo: its directory name, method, the model that answers (student, sft or teacher) and K. */
    public record Job(String name, String method, String model, int k) {
        public boolean sft() {
            return model.equals("sft");
        }
    }

    /** Callbacks for progress display. */
    public interface Listener extends Runner.Listener {
        default void jobStarted(Job job, int index, int total) {}

        default void sftStep(StepReport r) {}

        default void note(String message) {}
    }

    private final Options o;

    public Demo(Options o) {
        this.o = o;
    }

    /** The student's variants, then the teacher answering alone (its own base accuracy on the shift). */
    public static List<Job> jobs(List<Integer> ks) {
        List<Job> jobs = new ArrayList<>(List.of(
                new Job("base", "base", "student", 1),
                new Job("icl", "icl", "student", 1),
                new Job("sft", "base", "sft", 1),
                new Job("tt-si", "tt-si", "student", 1),
                new Job("tt-d", "tt-d", "student", 1),
                new Job("tt-si-icl", "tt-si-icl", "student", 1),
                new Job("all", "all", "student", 1),
                new Job("certain-only", "certain-only", "student", 1),
                new Job("random", "random", "student", 1),
                new Job("gold-upper-bound", "gold-upper-bound", "student", 1)));
        for (int k : ks) if (k != 1) jobs.add(new Job("tt-si-k" + k, "tt-si", "student", k));
        jobs.add(new Job("teacher-base", "base", "teacher", 1));
        return jobs;
    }

    public Path student() {
        return o.models().resolve("student");
    }

    public Path teacher() {
        return o.models().resolve("teacher");
    }

    private static boolean trained(Path dir) {
        return Files.isRegularFile(dir.resolve("training.json"));
    }

    /** The teacher a job's TT-D learns from (null for other methods). */
    private static String teacherOf(Job j) {
        return j.method().equals("tt-d") ? "teacher" : null;
    }

    /** Runs every job (skipping finished ones) and writes the report; returns the report's files. */
    public List<Path> run(Listener listener) throws IOException {
        if (!trained(student())) {
            Path state = student().resolve("work").resolve("checkpoint").resolve("state.json");
            if (Files.isRegularFile(state)) {
                JsonNode st = Json.MAPPER.readTree(state.toFile());
                throw new FormatException(student(), "the student's training stopped at step " + st.path("step").asInt() + " of "
                        + st.path("total_steps").asInt() + "; 'ttsi toolshift train --out " + o.models() + "' continues it from that checkpoint");
            }
            throw new FormatException(student(), "no trained ToolShift student here (expected config.json and training.json; train one with 'ttsi toolshift train --out " + o.models() + "')");
        }
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("student", student());
        if (trained(teacher())) models.put("teacher", teacher());
        else listener.note("no trained teacher in " + teacher() + ": TT-D and the teacher's own run are skipped ('ttsi toolshift train --only teacher' trains it)");
        JsonNode info = Json.MAPPER.readTree(student().resolve("training.json").toFile());
        long seed = info.path("world_seed").asLong(info.path("seed").asLong(1));
        Path dataDir = o.out().resolve("data");
        ToolShift.Data data = ToolShift.generate(ToolShift.Config.defaults(seed));
        if (!Files.isRegularFile(dataDir.resolve("toolshift").resolve("manifest.json"))) ToolShift.write(data, dataDir.resolve("toolshift"));
        Path sftModel = o.out().resolve("sft-model");
        List<Job> jobs = jobs(o.ks()).stream()
                .filter(j -> j.sft() || models.containsKey(j.model()))
                .filter(j -> teacherOf(j) == null || models.containsKey(teacherOf(j))).toList();
        List<Long> seeds = LongStream.range(0, o.seeds()).boxed().toList();
        TrainConfig train = testTimeTraining();
        Map<String, EmbeddedModel> open = new LinkedHashMap<>();
        try {
            for (var m : models.entrySet()) open.put(m.getKey(), open(m.getValue()));
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                listener.jobStarted(job, i, jobs.size());
                if (job.sft() && !trained(sftModel)) trainSft(data, sftModel, listener);
                Path modelDir = job.sft() ? sftModel : models.get(job.model());
                String teacher = teacherOf(job);
                // A model answering alone (base) gives the same answer under every seed: one seed is enough.
                List<Long> jobSeeds = job.method().equals("base") || job.method().equals("icl") ? seeds.subList(0, 1) : seeds;
                // Every setting the demo does not choose is the library's default, the one 'ttsi run' has.
                DataSynthesizer.Options synthesis = DataSynthesizer.Options.defaults();
                RunConfig cfg = RunConfig.defaults(modelDir, "toolshift", dataDir, job.method())
                        .withUncertainty(UncertaintyEstimator.Options.defaults().withTau(o.tau()))
                        .withSynthesis(new DataSynthesizer.Options(job.k(), synthesis.maxAttempts(), synthesis.generation().withMaxTokens(o.maxTokens()),
                                synthesis.context()))
                        .withInference(Answering.defaults().withMaxTokens(o.maxTokens()))
                        .withAdaptation(LORA, train)
                        .withTeacher(new RunConfig.Teacher(null, teacher == null ? null : models.get(teacher).toString()))
                        .withSamples(jobSeeds, o.limit());
                Path runDir = o.out().resolve("runs").resolve(job.name());
                if (job.sft()) {
                    try (EmbeddedModel sft = open(sftModel)) {
                        new Runner(cfg, runDir, sft, null).run(listener);
                    }
                } else {
                    new Runner(cfg, runDir, open.get(job.model()), teacher == null ? null : open.get(teacher)).run(listener);
                }
            }
        } finally {
            for (EmbeddedModel m : open.values()) m.close();
        }
        return Report.of(RunLoader.load(List.of(o.out().resolve("runs")))).write(o.out().resolve("report"));
    }

    /** The test-time adapter of every model the demo opens: the paper's LoRA (r 8, α 16, all linear layers); run.json records it. */
    static final LoraConfig LORA = LoraConfig.defaults();

    /** Test-time training at the demo's epochs and lr, the paper's otherwise; run.json records it. */
    private TrainConfig testTimeTraining() {
        return TrainConfig.paperDefaults().withEpochs(o.epochs()).withLearningRate(o.learningRate());
    }

    /** A model with {@link #LORA} and {@link #testTimeTraining()}, the settings run.json records. */
    private EmbeddedModel open(Path dir) {
        return new EmbeddedModel(Model.load(dir), LORA, testTimeTraining());
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
        List<StepReport> steps = Recipe.fineTune(student(), examples, tc, dir, listener::sftStep).steps();
        ObjectNode info = Json.object();
        info.put("base", student().toString());
        info.put("data", "toolshift-dev (" + examples.size() + " in-domain answering examples)");
        info.set("train", Json.MAPPER.valueToTree(tc));
        info.put("final_loss", steps.getLast().loss());
        Files.writeString(dir.resolve("training.json"), info.toPrettyString() + "\n");
    }
}
