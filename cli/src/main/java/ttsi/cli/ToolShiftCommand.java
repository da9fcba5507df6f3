package ttsi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.LoraTrainer;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;
import ttsi.toolshift.BpeTrainer;
import ttsi.toolshift.Recipe;
import ttsi.toolshift.ToolShift;

@Command(name = "toolshift", description = {
        "ToolShift, a generated tool-calling world with a train/test distribution shift.",
        "'ttsi toolshift generate --out DIR' writes train/dev/test (Hammer format), sft.jsonl and manifest.json from a seed,",
        "and with --tokenizer-vocab N a byte-level BPE tokenizer trained on the training text into DIR/tokenizer.",
        "'ttsi toolshift train --out DIR' runs the whole recipe: DIR/data/toolshift (data + tokenizer), then the student",
        "and the teacher trained from random weights (full-parameter SFT) into DIR/student and DIR/teacher, each with",
        "loss.csv, loss.png and training.json. A model whose folder is complete is skipped, so a killed run resumes."})
final class ToolShiftCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "generate or train") String action;
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--train", defaultValue = "4000") int train;
    @Option(names = "--dev", defaultValue = "300") int dev;
    @Option(names = "--test", defaultValue = "300") int test;
    @Option(names = "--synthesis", defaultValue = "2000", description = "synthesis-task examples in sft.jsonl") int synthesis;
    @Option(names = "--tokenizer-vocab", defaultValue = "0", description = "generate: also train a BPE tokenizer of this size (0: no); train: its size (0: 2048)") int vocab;
    @Option(names = "--only", description = "train: student or teacher (default: both)") String only;
    @Option(names = "--limit", defaultValue = "0", description = "train: use only the first N training records (smoke runs)") int limit;
    @Option(names = "--epochs", description = "train: override every stage's epochs (smoke runs)") Integer epochs;
    @Option(names = "--stages", description = "train: stop after the first N stages (a later run continues from there)") Integer stopAfter;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;

    @Override
    public Integer call() throws IOException {
        if (threads != null) Parallel.setGlobalThreads(threads);
        return switch (action) {
            case "generate" -> generate();
            case "train" -> train();
            default -> throw new IllegalArgumentException("unknown action '" + action + "' (expected: generate or train)");
        };
    }

    private int generate() {
        ToolShift.Config d = ToolShift.Config.defaults(seed);
        ToolShift.Config c = new ToolShift.Config(seed, train, dev, test, synthesis, d.pMulti(), d.format());
        ToolShift.Data data = ToolShift.generate(c);
        ToolShift.write(data, out);
        System.out.println(ToolShift.manifest(data).get("stats").toPrettyString());
        if (vocab > 0) {
            BpeTrainer.Result r = BpeTrainer.train(ToolShift.tokenizerCorpus(data), vocab, 2);
            BpeTrainer.write(r, out.resolve("tokenizer"), 4096);
            System.err.println("tokenizer: " + r.tokens().size() + " BPE tokens + " + r.added().size() + " added, in " + out.resolve("tokenizer"));
        }
        System.err.println("wrote " + out);
        return 0;
    }

    private int train() throws IOException {
        if (only != null && !only.equals("student") && !only.equals("teacher")) {
            throw new IllegalArgumentException("--only must be student or teacher, got '" + only + "'");
        }
        Path dataDir = out.resolve("data");
        System.err.println("data: " + dataDir.resolve("toolshift"));
        ToolShift.Config d = ToolShift.Config.defaults(seed);
        ToolShift.Data data = Recipe.data(new ToolShift.Config(seed, train, dev, test, synthesis, d.pMulti(), d.format()),
                vocab > 0 ? vocab : Recipe.TOKENIZER_VOCAB, dataDir);
        for (Recipe.Spec spec : List.of(Recipe.student(seed), Recipe.teacher(seed))) {
            if (only != null && !only.equals(spec.name())) continue;
            Path dir = out.resolve(spec.name());
            if (Files.isRegularFile(dir.resolve("training.json"))) {
                System.err.println(spec.name() + ": already trained in " + dir + " (delete the folder to retrain)");
                continue;
            }
            List<ObjectNode> records = Recipe.records(data, spec.broad());
            if (limit > 0 && limit < records.size()) records = records.subList(0, limit);
            List<LoraTrainer.StepReport> all = new ArrayList<>();
            ArrayNode stages = Json.MAPPER.createArrayNode();
            long parameters = 0;
            int stageCount = stopAfter == null ? spec.stages().size() : Math.min(stopAfter, spec.stages().size());
            for (int i = 0; i < stageCount; i++) {
                Recipe.Stage stage = spec.stages().get(i);
                TrainConfig tc = epochs != null ? stage.train().withEpochs(epochs) : stage.train();
                Recipe.Spec run = new Recipe.Spec(spec.name(), spec.shape(), replace(spec.stages(), i, new Recipe.Stage(tc, stage.allTokens())), spec.broad(), spec.initSeed());
                String tag = "stage-" + (i + 1);
                Path marker = dir.resolve(tag + ".json");
                if (Files.isRegularFile(marker)) {
                    System.err.println(spec.name() + " " + tag + ": done before, continuing from " + dir);
                    ObjectNode done = (ObjectNode) Json.MAPPER.readTree(marker.toFile());
                    stages.add(done);
                    parameters = done.path("parameters").asLong();
                    all.addAll(LossCurve.read(dir.resolve("loss-" + tag + ".csv"), all.size()));
                    continue;
                }
                List<TrainingExample> examples = Recipe.examples(records, Recipe.tokenizerDir(dataDir), stage.allTokens());
                long tokens = examples.stream().mapToLong(e -> e.tokens().length).sum();
                System.err.printf("%s %s: %s, %d records (%d tokens), loss on %s, %d epoch(s), batch %d, lr %.1e%n", spec.name(), tag,
                        spec.shape(), examples.size(), tokens, stage.allTokens() ? "every token" : "the answer", tc.epochs(), tc.batchSize(), tc.learningRate());
                Recipe.Result r;
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName(spec.name() + " " + tag).setInitialMax(tc.totalSteps(examples.size()))
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1).showSpeed().build()) {
                    double[] ema = {Double.NaN};
                    r = Recipe.trainStage(run, i, examples, Recipe.tokenizerDir(dataDir), dir, s -> {
                        ema[0] = Double.isNaN(ema[0]) ? s.loss() : 0.95 * ema[0] + 0.05 * s.loss();
                        bar.stepTo(s.step());
                        bar.setExtraMessage(String.format("loss %.3f", ema[0]));
                    });
                }
                LossCurve.write(dir, r.steps(), "loss-" + tag, spec.name() + " " + tag + " loss");
                ObjectNode info = Json.MAPPER.createObjectNode();
                info.put("stage", i + 1);
                info.put("loss_on", stage.allTokens() ? "every token" : "answer");
                info.set("train", Json.MAPPER.valueToTree(tc));
                info.put("records", examples.size());
                info.put("tokens", tokens);
                info.put("steps", r.steps().size());
                info.put("final_loss", r.steps().getLast().loss());
                info.put("seconds", Math.round(r.seconds()));
                info.put("parameters", r.parameters());
                Files.writeString(marker, info.toPrettyString() + "\n");
                stages.add(info);
                parameters = r.parameters();
                all.addAll(renumber(r.steps(), all.size()));
                System.err.printf("%s %s: %d steps in %.0f s, final loss %.4f%n", spec.name(), tag, r.steps().size(), r.seconds(), r.steps().getLast().loss());
            }
            if (stageCount < spec.stages().size()) {
                System.err.printf("%s: stopped after stage %d of %d (run again without --stages to continue)%n", spec.name(), stageCount, spec.stages().size());
                continue;
            }
            LossCurve.write(dir, all, "loss", spec.name() + ": training loss (all stages)");
            ObjectNode info = Json.MAPPER.createObjectNode();
            info.put("model", spec.name());
            info.put("seed", seed);
            info.put("parameters", parameters);
            info.set("shape", Json.MAPPER.valueToTree(spec.shape()));
            info.put("broad_distribution", spec.broad());
            info.set("stages", stages);
            info.put("threads", Parallel.global().threads());
            Files.writeString(dir.resolve("training.json"), info.toPrettyString() + "\n");
            System.err.printf("%s: %,d parameters -> %s%n", spec.name(), parameters, dir);
        }
        return 0;
    }

    private static <T> List<T> replace(List<T> list, int i, T value) {
        List<T> copy = new ArrayList<>(list);
        copy.set(i, value);
        return copy;
    }

    /** Step reports numbered on from an offset (stages in one curve). */
    private static List<LoraTrainer.StepReport> renumber(List<LoraTrainer.StepReport> steps, int offset) {
        List<LoraTrainer.StepReport> out = new ArrayList<>();
        for (LoraTrainer.StepReport s : steps) {
            out.add(new LoraTrainer.StepReport(s.step() + offset, s.totalSteps(), s.epoch(), s.loss(), s.gradNorm(), s.lr(), s.tokens(), s.seconds()));
        }
        return out;
    }
}
