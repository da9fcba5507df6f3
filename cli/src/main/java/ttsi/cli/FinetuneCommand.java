package ttsi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import ttsi.engine.format.FormatException;
import ttsi.engine.model.Model;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.train.LoraAdapter;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.LoraTrainer;
import ttsi.engine.train.SftExamples;
import ttsi.engine.train.StepReport;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;

@Command(name = "finetune", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Train a LoRA adapter on a JSONL file and save it in PEFT format, with a loss curve beside it.",
        "Each line is a chat {\"messages\": [..., {\"role\": \"assistant\", ...}], \"tools\": [...]}, trained on the "
                + "last assistant message as the model's chat template renders it, or {\"prompt\": ..., \"completion\": ...}.",
        "Beside the adapter: loss.csv and loss.png (the loss of every step, its moving mean, a marker where each epoch begins)."})
final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder")
    Path model;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;

    @Option(names = "--data", required = true, description = "training data, JSON lines")
    Path data;

    @Option(names = "--out", required = true, description = "adapter folder to write")
    Path out;

    @Mixin TrainingOptions trainingOptions;
    @Mixin LoraOptions loraOptions;
    @Option(names = "--dropout", defaultValue = "0", description = "LoRA dropout on the adapter's input, in [0, 0.99]") double dropout;
    @Option(names = "--rslora", description = "scale by alpha/sqrt(r) instead of alpha/r") boolean rslora;
    @Option(names = "--targets", split = ",", defaultValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
            description = "comma-separated linear layers that get an adapter") List<String> targets;
    @Option(names = "--batch-size", defaultValue = "1", description = "examples per micro-batch") int batchSize;
    @Option(names = "--grad-accum", defaultValue = "1", description = "micro-batches per optimizer step") int gradAccum;
    @Option(names = "--warmup-ratio", defaultValue = "0.03", description = "share of the steps over which the learning rate warms up from 0") double warmupRatio;
    @Option(names = "--scheduler", defaultValue = "cosine", description = "cosine, linear or constant") String scheduler;
    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW weight decay") double weightDecay;
    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "clip the gradient norm to this (0: no clipping)") double maxGradNorm;
    @Option(names = "--seed", defaultValue = "0", description = "seed of the adapter's initialisation, dropout and shuffling") long seed;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;

    @Override
    public Integer call() throws IOException {
        int epochs = trainingOptions.epochs();
        double lr = trainingOptions.lr();
        loraOptions.checked();
        OptionChecks.inRange("--dropout", dropout, 0, 0.99);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.atLeast("--grad-accum", gradAccum, 1);
        OptionChecks.inRange("--warmup-ratio", warmupRatio, 0, 1);
        OptionChecks.nonNegative("--weight-decay", weightDecay);
        OptionChecks.nonNegative("--max-grad-norm", maxGradNorm); // 0: no clipping
        if (threads != null) OptionChecks.atLeast("--threads", threads, 1);
        if (threads != null) Parallel.setGlobalThreads(threads);
        try (Model m = Model.load(model, dtypeOption.parsed())) {
            List<TrainingExample> examples = readExamples(m);
            LoraConfig lc = loraOptions.config(dropout, rslora, targets, seed);
            TrainConfig tc = new TrainConfig(epochs, batchSize, gradAccum, lr, warmupRatio, scheduler, weightDecay, maxGradNorm, true, seed);
            LoraAdapter adapter = LoraAdapter.create(m.config(), lc);
            int total = tc.totalSteps(examples.size());
            List<StepReport> steps;
            try (ProgressBar bar = Bars.steps("finetune", total, 0)) {
                steps = LoraTrainer.train(m.decoder(), adapter, examples, tc, r -> {
                    bar.stepTo(r.step());
                    bar.setExtraMessage(Bars.extra(Bars.format("epoch %d/%d", r.epoch() + 1, epochs), Bars.loss(r.loss())));
                });
            }
            adapter.savePeft(out, model.toAbsolutePath().toString());
            LossCurve.write(out, steps, "loss", "Training loss", LossCurve.epochMarkers(steps));
            System.err.printf("saved adapter to %s (%d steps, final loss %.4f); loss curve in %s%n", out, steps.size(),
                    steps.get(steps.size() - 1).loss(), out.resolve("loss.png"));
        }
        return 0;
    }

    private List<TrainingExample> readExamples(Model m) throws IOException {
        if (!Files.isRegularFile(data)) throw new FormatException(data, "file not found");
        List<String> lines = Files.readAllLines(data);
        List<TrainingExample> out = new ArrayList<>();
        ChatTemplate template = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String where = data + ":" + (i + 1);
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            try {
                if (n.has("messages")) {
                    if (template == null) template = ChatTemplate.load(model);
                    out.add(SftExamples.fromChat(m.tokenizer(), template, n));
                } else if (n.has("prompt") && n.has("completion")) {
                    // asText() of a number or object is "" or its digits: a record that trains on nothing or on the wrong text.
                    if (!n.get("prompt").isTextual()) throw new IllegalArgumentException("\"prompt\" must be a string, got " + n.get("prompt").getNodeType().name().toLowerCase());
                    if (!n.get("completion").isTextual()) throw new IllegalArgumentException("\"completion\" must be a string, got " + n.get("completion").getNodeType().name().toLowerCase());
                    if (n.get("completion").asText().isEmpty()) throw new IllegalArgumentException("\"completion\" is empty: there would be nothing to train on");
                    out.add(SftExamples.fromPromptCompletion(m.tokenizer(), n.get("prompt").asText(), n.get("completion").asText()));
                } else {
                    throw new IllegalArgumentException("expected {\"messages\": [...]} or {\"prompt\": ..., \"completion\": ...}");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            if (!hasTarget(out.getLast())) {
                throw new IllegalArgumentException(where + ": the record has no tokens to train on (an empty final assistant message, or a prompt that fills the context)");
            }
        }
        if (out.isEmpty()) throw new FormatException(data, "no training examples");
        return out;
    }

    private static boolean hasTarget(TrainingExample e) {
        for (boolean t : e.target()) if (t) return true;
        return false;
    }
}
