package ttsi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ttsi.agent.json.Json;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.ResumableTrainer;
import ttsi.engine.train.StepReport;
import ttsi.toolshift.BpeTrainer;
import ttsi.toolshift.Recipe;
import ttsi.toolshift.ToolShift;

@Command(name = "toolshift", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "ToolShift, a generated tool-calling world with a train/test distribution shift.",
        "'ttsi toolshift generate --out DIR' writes train/dev/test (Hammer format), sft.jsonl and manifest.json from a "
                + "seed, and with --tokenizer-vocab N a byte-level BPE tokenizer trained on the training text into DIR/tokenizer; "
                + "--sample-seed N draws fresh dev and test requests from the same world.",
        "'ttsi toolshift train --out DIR' runs the whole recipe (about 2.3 h on 2 cores): DIR/data/toolshift (data + tokenizer), then "
                + "DIR/student trained from random weights on fresh samples at every step (full-parameter SFT, training side only), then "
                + "DIR/teacher from it (privileged: also sees the test side of the world), each with loss.csv/png, dev.csv/png "
                + "(dev exact match at every checkpoint) and training.json.",
        "Training checkpoints every few minutes into DIR/NAME/work; run the same command again after a kill and it continues from there."})
final class ToolShiftCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ACTION", description = "generate or train") String action;
    @Option(names = "--out", required = true, description = "output folder") Path out;
    @Option(names = "--seed", defaultValue = "1", description = "the world's seed") long seed;
    @Option(names = "--sample-seed", description = "generate: draw dev and test requests from this seed (default: --seed)") Long sampleSeed;
    @Option(names = "--train", defaultValue = "4000", description = "requests in the training split") int train;
    @Option(names = "--dev", defaultValue = "300", description = "requests in the dev split") int dev;
    @Option(names = "--test", defaultValue = "300", description = "requests in the test split") int test;
    @Option(names = "--synthesis", defaultValue = "2000", description = "synthesis-task examples in sft.jsonl") int synthesis;
    @Option(names = "--tokenizer-vocab", defaultValue = "0", description = "generate: also train a BPE tokenizer of this size (0: no); train: its size (0: 2048)") int vocab;
    @Option(names = "--only", split = ",", description = "train: only these models of the recipe, by folder name (student, teacher; an unknown name "
            + "lists them all) (default: all, each after the model it starts from)") List<String> only;
    @Option(names = "--recipe", defaultValue = "compact-turns", description = "train: 'compact-turns' (the committed models: one schedule per model "
            + "with up to 4 requests per tool listing, ~2.3 h on 2 cores), 'compact' (the same with one request per listing and 4,000 student steps, "
            + "~1.7 h; weaker on the shift) or 'chain' (the earlier models: a base and 17 links from it, ~6 h)") String recipe;
    @Option(names = "--step-scale", defaultValue = "1", description = "train: multiply every phase's steps by this (smoke runs, e.g. 0.01)") double stepScale;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;

    @Override
    public Integer call() throws IOException {
        OptionChecks.atLeast("--train", train, 1);
        OptionChecks.atLeast("--dev", dev, 1);
        OptionChecks.atLeast("--test", test, 1);
        OptionChecks.atLeast("--synthesis", synthesis, 0);
        OptionChecks.atLeast("--tokenizer-vocab", vocab, 0);
        if (threads != null) OptionChecks.atLeast("--threads", threads, 1);
        if (threads != null) Parallel.setGlobalThreads(threads);
        return switch (action) {
            case "generate" -> generate();
            case "train" -> train();
            default -> throw new IllegalArgumentException("unknown action '" + action + "' (expected: generate or train)");
        };
    }

    private ToolShift.Config config() {
        ToolShift.Config d = ToolShift.Config.defaults(seed);
        return new ToolShift.Config(seed, train, dev, test, synthesis, d.pMulti(), d.format(), sampleSeed == null ? seed : sampleSeed);
    }

    private int generate() {
        ToolShift.Data data = ToolShift.generate(config());
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
        if (!(stepScale > 0 && stepScale <= 1)) throw new IllegalArgumentException("--step-scale must be in (0, 1], got " + stepScale);
        if (sampleSeed != null) throw new IllegalArgumentException("--sample-seed is for 'generate'; 'train' uses the world's own dev split");
        List<Recipe.Spec> specs = switch (recipe) {
            case "chain" -> Recipe.all(seed);
            case "compact" -> Recipe.compact(seed);
            case "compact-turns" -> Recipe.compactTurns(seed);
            default -> throw new IllegalArgumentException("--recipe takes chain, compact or compact-turns, got '" + recipe + "'");
        };
        if (only != null) {
            for (String o : only) {
                if (specs.stream().noneMatch(s -> s.name().equals(o))) throw new IllegalArgumentException("--only takes " + specs.stream().map(Recipe.Spec::name).toList() + ", got '" + o + "'");
            }
        }
        Path dataDir = out.resolve("data");
        System.err.println("data: " + dataDir.resolve("toolshift"));
        ToolShift.Data data = Recipe.data(config(), vocab > 0 ? vocab : Recipe.TOKENIZER_VOCAB, dataDir);
        for (Recipe.Spec full : specs) {
            if (only != null && !only.contains(full.name())) continue;
            Recipe.Spec spec = full.scaled(stepScale);
            Path dir = out.resolve(spec.name());
            if (Files.isRegularFile(dir.resolve("training.json"))) {
                System.err.println(spec.name() + ": already trained in " + dir + " (delete the folder to retrain)");
                continue;
            }
            System.err.printf("%s: %s, %d steps of ~%d tokens, lr %.1e, %s%n", spec.name(), spec.shape(), spec.totalSteps(), spec.batchTokens(),
                    spec.learningRate(), spec.privileged() ? "privileged (also sees the test side)" : "training side only");
            ResumableTrainer.Result r;
            // Made at the first step (or at the resumed one), so that speed and ETA count only the steps run here.
            ProgressBar[] bar = new ProgressBar[1];
            try {
                double[] ema = {Double.NaN};
                String[] dev = {""};
                r = Recipe.train(spec, data, Recipe.tokenizerDir(dataDir), dir, new ResumableTrainer.Listener() {
                    @Override
                    public void resumed(int step) {
                        System.err.println(spec.name() + ": resuming from the checkpoint at step " + step);
                        bar[0] = Bars.steps(spec.name(), spec.totalSteps(), step);
                    }

                    @Override
                    public void onStep(StepReport s) {
                        if (bar[0] == null) bar[0] = Bars.steps(spec.name(), spec.totalSteps(), s.step() - 1);
                        ema[0] = Double.isNaN(ema[0]) ? s.loss() : 0.95 * ema[0] + 0.05 * s.loss();
                        bar[0].stepTo(s.step());
                        bar[0].setExtraMessage(Bars.extra(spec.phases().size() > 1 ? "phase " + spec.phase(s.step() - 1).name() : null, Bars.loss(ema[0]), dev[0]));
                    }

                    @Override
                    public void evaluated(int step, ObjectNode f) {
                        dev[0] = Bars.format("dev EM %.0f%% tool %.0f%%", f.path("dev_exact_match").asDouble(), f.path("dev_tool_accuracy").asDouble());
                        System.err.printf("%n%s step %d: dev exact match %.1f%%, tool accuracy %.1f%% (%d samples)%n", spec.name(), step,
                                f.path("dev_exact_match").asDouble(), f.path("dev_tool_accuracy").asDouble(), f.path("dev_samples").asInt());
                    }
                });
            } finally {
                if (bar[0] != null) bar[0].close();
            }
            List<LossCurve.Marker> phases = phaseMarkers(spec);
            String link = spec.from() == null ? "" : " (continues " + spec.from() + ")";
            LossCurve.write(dir, r.steps(), "loss", spec.name() + link + ": training loss (answer tokens)", phases);
            LossCurve.writeEvaluations(dir, r.evaluations(), "dev", spec.name() + link + ": greedy accuracy on " + Recipe.DEV_WATCH + " dev samples",
                    List.of("dev_exact_match", "dev_tool_accuracy"), phases);
            ObjectNode info = Json.MAPPER.createObjectNode();
            info.put("model", spec.name());
            info.put("seed", seed);
            info.put("world_seed", seed);
            info.put("parameters", r.weights().parameterCount());
            info.set("shape", Json.MAPPER.valueToTree(spec.shape()));
            info.put("privileged", spec.privileged());
            if (spec.from() != null) info.put("from", spec.from());
            info.set("phases", Json.MAPPER.valueToTree(spec.phases()));
            info.put("batch_tokens", spec.batchTokens());
            info.set("optimizer", Json.MAPPER.valueToTree(spec.options()));
            info.put("steps", r.steps().size());
            info.put("tokens_supervised", r.steps().stream().mapToLong(StepReport::tokens).sum());
            info.put("final_loss", r.steps().getLast().loss());
            info.put("seconds", Math.round(r.seconds()));
            info.put("threads", Parallel.global().threads());
            info.set("dev_during_training", Json.MAPPER.valueToTree(r.evaluations()));
            Files.writeString(dir.resolve("training.json"), info.toPrettyString() + "\n");
            System.err.printf("%s: %,d parameters, %d steps in %.0f s -> %s%n", spec.name(), r.weights().parameterCount(), r.steps().size(), r.seconds(), dir);
        }
        return 0;
    }

    /** A marker where each phase after the first begins (steps count from 1: between its first step and the one before). */
    static List<LossCurve.Marker> phaseMarkers(Recipe.Spec spec) {
        List<LossCurve.Marker> out = new java.util.ArrayList<>();
        int end = 0;
        for (Recipe.Phase p : spec.phases()) {
            if (end > 0) out.add(new LossCurve.Marker(end + 0.5, "phase " + p.name()));
            end += p.steps();
        }
        return out;
    }
}
