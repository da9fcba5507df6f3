package ttsi.engine.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.FormatException;
import ttsi.engine.model.Checkpoints;
import ttsi.engine.model.Model;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.TrainableWeights;

/**
 * Full-parameter training for a fixed number of steps over batches made fresh at each step, checkpointed every
 * {@code checkpointEvery} steps and resumable after a kill: a run stopped anywhere and started again computes the
 * same weights as one that ran through (the batch of step s is a function of s alone, and the checkpoint holds the
 * f32 weights, AdamW's moments and the step). A batch's sequences are spread over the kernel threads
 * ({@link DataParallelBackprop}), so the bits depend on the thread count as well.
 *
 * <p>The work folder holds {@code checkpoint/}: an ordinary HF model folder in f32 (so an evaluator can load it),
 * plus {@code optimizer.bin}, {@code state.json} and {@code steps.csv} (every step so far). A checkpoint is written
 * beside the old one and swapped in, so a kill while writing leaves the previous one usable.
 */
public final class ResumableTrainer {
    /** The batch of examples for a 0-based step; must depend on the step only. */
    public interface Batches {
        List<TrainingExample> batch(int step);
    }

    /** Called with each checkpoint folder (after it is written), e.g. to measure dev accuracy; returns figures to log. */
    public interface Evaluator {
        ObjectNode evaluate(int step, Path checkpoint);
    }

    public interface Listener {
        default void resumed(int step) {}

        default void onStep(StepReport r) {}

        default void evaluated(int step, ObjectNode figures) {}
    }

    /** Optimisation: AdamW (β1, β2, ε 1e-8, decay on matrices), warmup + schedule over totalSteps, clipping. */
    public record Options(int totalSteps, double learningRate, double warmupRatio, String scheduler, double beta1, double beta2,
                          double weightDecay, double maxGradNorm, int checkpointEvery) {
        public Options {
            if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
            if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
            if (checkpointEvery < 1) throw new IllegalArgumentException("checkpoint interval must be >= 1 step, got " + checkpointEvery);
        }
    }

    /** What the run produced: every step (including those before a resume) and the evaluations. */
    public record Result(TrainableWeights weights, List<StepReport> steps, List<ObjectNode> evaluations, double seconds) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumableTrainer() {}

    public static Path checkpointDir(Path work) {
        return work.resolve("checkpoint");
    }

    /**
     * Trains from {@code init} (a model folder) or, when {@code work} holds a checkpoint, from there; returns the
     * trained weights. The checkpoint stays in {@code work} (the caller deletes it once the result is saved).
     */
    public static Result train(Path init, Path work, Batches batches, Options o, Evaluator evaluator, Listener listener) {
        try {
            Files.createDirectories(work);
            Path ckpt = checkpointDir(work), old = work.resolve("checkpoint.old");
            if (!Files.isRegularFile(ckpt.resolve("state.json")) && Files.isRegularFile(old.resolve("state.json"))) {
                deleteFolder(ckpt);
                Files.move(old, ckpt);
            }
            boolean resume = Files.isRegularFile(ckpt.resolve("state.json"));
            Path from = resume ? ckpt : init;
            TrainableWeights w;
            ModelConfig config;
            try (Model m = Model.load(from)) {
                w = m.decoder().weights().toTrainable();
                config = m.config();
            }
            AdamW opt = FullTrainer.optimizer(w, o.weightDecay(), o.beta1(), o.beta2());
            List<StepReport> steps = new ArrayList<>();
            List<ObjectNode> evaluations = new ArrayList<>();
            double secondsBefore = 0;
            if (resume) {
                JsonNode state = JSON.readTree(ckpt.resolve("state.json").toFile());
                opt.readState(ckpt.resolve("optimizer.bin"));
                int at = state.path("step").asInt();
                if (opt.steps() != at) throw new FormatException(ckpt.resolve("optimizer.bin"), "holds step " + opt.steps() + ", state.json says " + at);
                if (state.path("total_steps").asInt() != o.totalSteps()) {
                    throw new FormatException(ckpt.resolve("state.json"), "was made for " + state.path("total_steps").asInt() + " steps, this run has "
                            + o.totalSteps() + " (delete " + work + " to start over)");
                }
                steps.addAll(readSteps(ckpt.resolve("steps.csv")));
                state.path("evaluations").forEach(e -> evaluations.add((ObjectNode) e));
                secondsBefore = state.path("seconds").asDouble();
                if (listener != null) listener.resumed(at);
            }
            DataParallelBackprop bp = new DataParallelBackprop(config, w);
            LrSchedule schedule = LrSchedule.of(o.scheduler(), o.totalSteps(), o.warmupRatio());
            long t0 = System.nanoTime();
            try {
                opt.zeroGrad();
                while (opt.steps() < o.totalSteps()) {
                    int step = opt.steps();
                    long s0 = System.nanoTime();
                    List<TrainingExample> batch = batches.batch(step);
                    int count = 0;
                    for (TrainingExample e : batch) count += e.targetCount();
                    if (count == 0) throw new IllegalStateException("step " + step + ": the batch has no target tokens");
                    // Token-averaged loss over the batch, as LoraTrainer's.
                    double loss = bp.forwardBackward(batch, 1f / count).sum() / count;
                    if (!Double.isFinite(loss)) throw new IllegalStateException("step " + step + ": the loss is " + loss + " (diverged; lower the learning rate)");
                    double norm = opt.clipGradNorm(o.maxGradNorm());
                    double lr = o.learningRate() * schedule.factor(step);
                    opt.step(lr);
                    opt.zeroGrad();
                    StepReport r = new StepReport(opt.steps(), o.totalSteps(), 0, loss, norm, lr, count, (System.nanoTime() - s0) / 1e9);
                    steps.add(r);
                    if (listener != null) listener.onStep(r);
                    if (opt.steps() % o.checkpointEvery() == 0 || opt.steps() == o.totalSteps()) {
                        double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
                        writeCheckpoint(work, from, w, opt, steps, evaluations, o, seconds);
                        if (evaluator != null) {
                            ObjectNode fig = evaluator.evaluate(opt.steps(), ckpt);
                            fig.put("step", opt.steps());
                            evaluations.add(fig);
                            if (listener != null) listener.evaluated(opt.steps(), fig);
                            writeState(ckpt, opt, evaluations, o, seconds); // keep the evaluation with the checkpoint
                        }
                    }
                }
            } finally {
                bp.release();
            }
            return new Result(w, steps, evaluations, secondsBefore + (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeCheckpoint(Path work, Path source, TrainableWeights w, AdamW opt, List<StepReport> steps,
                                        List<ObjectNode> evaluations, Options o, double seconds) throws IOException {
        Path ckpt = checkpointDir(work), tmp = work.resolve("checkpoint.tmp"), old = work.resolve("checkpoint.old");
        deleteFolder(tmp);
        JsonNode cfg = JSON.readTree(source.resolve("config.json").toFile());
        Checkpoints.save(tmp, cfg, w, DType.F32, source);
        opt.writeState(tmp.resolve("optimizer.bin"));
        writeSteps(tmp.resolve("steps.csv"), steps);
        writeState(tmp, opt, evaluations, o, seconds);
        deleteFolder(old);
        if (Files.exists(ckpt)) Files.move(ckpt, old);
        Files.move(tmp, ckpt);
        deleteFolder(old);
    }

    private static void writeState(Path dir, AdamW opt, List<ObjectNode> evaluations, Options o, double seconds) throws IOException {
        ObjectNode s = JSON.createObjectNode();
        s.put("step", opt.steps());
        s.put("total_steps", o.totalSteps());
        s.put("seconds", seconds);
        s.set("options", JSON.valueToTree(o));
        s.set("evaluations", JSON.valueToTree(evaluations));
        Path tmp = dir.resolve("state.json.tmp");
        Files.writeString(tmp, s.toPrettyString() + "\n");
        Files.move(tmp, dir.resolve("state.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static final String STEPS_HEADER = "step,loss,grad_norm,lr,tokens,seconds";

    private static void writeSteps(Path f, List<StepReport> steps) throws IOException {
        StringBuilder sb = new StringBuilder(STEPS_HEADER).append('\n');
        for (StepReport r : steps) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.8g,%d,%.4f%n", r.step(), r.loss(), r.gradNorm(), r.lr(), r.tokens(), r.seconds()));
        }
        Files.writeString(f, sb.toString());
    }

    private static List<StepReport> readSteps(Path f) throws IOException {
        List<StepReport> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            if (!STEPS_HEADER.equals(line)) throw new FormatException(f, "expected the header '" + STEPS_HEADER + "', got '" + line + "'");
            while ((line = in.readLine()) != null) {
                String[] p = line.split(",");
                out.add(new StepReport(Integer.parseInt(p[0]), 0, 0, Double.parseDouble(p[1]), Double.parseDouble(p[2]),
                        Double.parseDouble(p[3]), Integer.parseInt(p[4]), Double.parseDouble(p[5])));
            }
        }
        return out;
    }

    /** Deletes a folder and everything in it (nothing when it does not exist). */
    public static void deleteFolder(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
