package ttsi.toolshift;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import ttsi.agent.tools.Json;
import ttsi.agent.tools.Sample;
import ttsi.engine.format.DType;
import ttsi.engine.model.Checkpoints;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.model.TrainableWeights;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;
import ttsi.engine.train.FullTrainer;
import ttsi.engine.train.LoraTrainer;
import ttsi.engine.train.SftExamples;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;
import ttsi.toolshift.World.Split;

/**
 * The recipe behind {@code ttsi toolshift train}: the ToolShift data and tokenizer from a seed, then two models
 * trained from random weights by full-parameter SFT with ttsi's own engine:
 * <ul>
 *   <li>the <b>student</b>, a few million parameters, trained on the training distribution only (sft.jsonl:
 *       answering and synthesis examples);</li>
 *   <li>the <b>teacher</b> (TT-D's "stronger model"): wider and deeper, trained on a broader distribution, the
 *       training records plus fresh answering and synthesis records drawn from the test-side pool (held-out domains,
 *       tools, frames and phrasings) with their own seeds. Never the test samples themselves: any record whose
 *       request equals a test request is dropped.</li>
 * </ul>
 * Each model is written as an ordinary HF folder (config.json, model.safetensors in bf16, tokenizer.json,
 * tokenizer_config.json with the chat template). Deterministic for a seed and a thread count.
 */
public final class Recipe {
    /** A Qwen2-style decoder's size. */
    public record Shape(int hidden, int layers, int heads, int kvHeads, int intermediate) {
        /** config.json for this shape over a tokenizer (tied embeddings, as small Qwen2 models have). */
        public ObjectNode configJson(Tokenizer tok) {
            ObjectNode c = Json.object();
            c.putArray("architectures").add("Qwen2ForCausalLM");
            c.put("model_type", "qwen2");
            c.put("hidden_size", hidden);
            c.put("intermediate_size", intermediate);
            c.put("num_hidden_layers", layers);
            c.put("num_attention_heads", heads);
            c.put("num_key_value_heads", kvHeads);
            c.put("vocab_size", tok.vocabSize());
            c.put("rope_theta", 10000.0);
            c.put("rms_norm_eps", 1e-6);
            c.put("tie_word_embeddings", true);
            c.put("max_position_embeddings", 4096);
            c.put("hidden_act", "silu");
            c.put("torch_dtype", "bfloat16");
            c.put("bos_token_id", tok.id("<|endoftext|>").orElseThrow());
            c.put("eos_token_id", tok.id("<|im_end|>").orElseThrow());
            return c;
        }
    }

    /**
     * One training stage: its optimisation, and whether the loss is on every token of the chat (the prompt's
     * schemas, requests and answers: the signal a model trained from scratch learns copying from) or only on the
     * final answer (SFT).
     */
    public record Stage(TrainConfig train, boolean allTokens) {}

    /** One model of the recipe: its folder name, shape, stages and whether it sees the broader distribution. */
    public record Spec(String name, Shape shape, List<Stage> stages, boolean broad, long initSeed) {
        public Spec {
            stages = List.copyOf(stages);
            if (stages.isEmpty()) throw new IllegalArgumentException("a model needs at least one training stage");
        }
    }

    /** The tokenizer's size (ids in all); the data sizes are {@code ttsi toolshift generate}'s defaults. */
    public static final int TOKENIZER_VOCAB = 2048;

    /**
     * The student: 2 epochs of answer-only SFT, then 1 epoch with the loss on every token. (Answer-only SFT alone
     * left it choosing tools well but unable to copy argument values: 0 of 40 dev samples right.)
     */
    public static Spec student(long seed) {
        return new Spec("student", new Shape(256, 4, 4, 2, 768), List.of(
                new Stage(new TrainConfig(2, 8, 1, 2e-3, 0.03, "cosine", 0.01, 1.0, true, seed), false),
                new Stage(new TrainConfig(1, 8, 1, 1e-3, 0.03, "cosine", 0.01, 1.0, true, seed + 100), true)), false, seed * 7 + 1);
    }

    /** The teacher: wider, and one epoch with the loss on every token over the broader data (half as many again). */
    public static Spec teacher(long seed) {
        return new Spec("teacher", new Shape(320, 4, 5, 1, 896), List.of(
                new Stage(new TrainConfig(1, 8, 1, 2e-3, 0.03, "cosine", 0.01, 1.0, true, seed + 1), true)), true, seed * 7 + 2);
    }

    private Recipe() {}

    /** Generates the default data set of a seed into dataDir/toolshift (with its tokenizer), unless it is already there. */
    public static ToolShift.Data data(long seed, Path dataDir) {
        return data(ToolShift.Config.defaults(seed), TOKENIZER_VOCAB, dataDir);
    }

    public static ToolShift.Data data(ToolShift.Config config, int tokenizerVocab, Path dataDir) {
        ToolShift.Data d = ToolShift.generate(config);
        Path dir = dataDir.resolve("toolshift");
        if (!Files.isRegularFile(dir.resolve("manifest.json")) || !Files.isRegularFile(tokenizerDir(dataDir).resolve("tokenizer.json"))) {
            ToolShift.write(d, dir);
            BpeTrainer.write(BpeTrainer.train(ToolShift.tokenizerCorpus(d), tokenizerVocab, 2), tokenizerDir(dataDir), 4096);
        }
        return d;
    }

    public static Path tokenizerDir(Path dataDir) {
        return dataDir.resolve("toolshift").resolve("tokenizer");
    }

    /**
     * The SFT records of a model: sft.jsonl's, and for a broad model half as many again from the test-side pool
     * (answering and synthesis), minus any whose request is a test request.
     */
    public static List<ObjectNode> records(ToolShift.Data d, boolean broad) {
        List<ObjectNode> out = new ArrayList<>(ToolShift.sftRecords(d));
        if (!broad) return out;
        long seed = d.config().seed();
        Set<String> testQueries = new HashSet<>();
        for (Sample s : d.test()) testQueries.add(s.query());
        List<Sample> wide = ToolShift.samples(d.world(), Split.TEST, "teacher", d.config().train() / 2, seed * 31 + 11, d.config().pMulti());
        SplittableRandom r = new SplittableRandom(seed * 31 + 12);
        int dropped = 0;
        for (Sample s : wide) {
            if (testQueries.contains(s.query())) {
                dropped++;
                continue;
            }
            out.add(ToolShift.answeringRecord(s, d.config().format()));
        }
        for (int i = 0; i < d.config().synthesis() / 2; i++) {
            SplittableRandom ri = r.split();
            Sample seedSample = wide.get(ri.nextInt(wide.size()));
            World.Synthesis syn = d.world().synthesis(Split.TEST, seedSample, ri.nextDouble() < 0.75 ? 1 : 2, ri);
            if (testQueries.contains(seedSample.query()) || syn.pairs().stream().anyMatch(p -> testQueries.contains(p.query()))) {
                dropped++;
                continue;
            }
            out.add(ToolShift.synthesisRecord(syn));
        }
        World.shuffle(out, new SplittableRandom(seed * 31 + 13));
        if (dropped > 0) System.err.println("teacher data: dropped " + dropped + " records that repeat a test request");
        return out;
    }

    /** Tokenizes chat records with the ToolShift template; the loss is on the final assistant message, or on every token. */
    public static List<TrainingExample> examples(List<ObjectNode> records, Path tokenizerDir, boolean allTokens) {
        Tokenizer tok = Tokenizer.load(tokenizerDir);
        ChatTemplate template = ChatTemplate.load(tokenizerDir);
        List<TrainingExample> out = new ArrayList<>(records.size());
        for (ObjectNode r : records) {
            TrainingExample e = SftExamples.fromChat(tok, template, r);
            if (allTokens) {
                boolean[] all = new boolean[e.tokens().length];
                java.util.Arrays.fill(all, 1, all.length, true);
                e = new TrainingExample(e.tokens(), all);
            }
            out.add(e);
        }
        return out;
    }

    /** What one stage produced. */
    public record Result(Path dir, long parameters, List<LoraTrainer.StepReport> steps, double seconds) {}

    /**
     * Runs one stage: from seeded random weights (stage 0) or from the checkpoint in outDir (later stages), trains
     * on the examples and saves the result to outDir in bf16. Each stage starts from the saved bf16 checkpoint,
     * so a recipe resumed after a crash computes exactly what an uninterrupted one does.
     */
    public static Result trainStage(Spec spec, int stage, List<TrainingExample> examples, Path tokenizerDir, Path outDir,
                                    LoraTrainer.Listener listener) {
        TrainConfig train = spec.stages().get(stage).train();
        if (stage > 0) return fineTune(outDir, examples, train, outDir, listener);
        Path init = null;
        try {
            init = Files.createTempDirectory("ttsi-init-");
            RandomCheckpoint.write(init, spec.shape().configJson(Tokenizer.load(tokenizerDir)), DType.F32, 0.02, spec.initSeed(), tokenizerDir);
            return fineTune(init, examples, train, outDir, listener);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (init != null) deleteFolder(init);
        }
    }

    /**
     * Full-parameter training of the checkpoint in {@code from} on the examples; the result goes to outDir (which
     * may be {@code from}) in bf16, with from's config and tokenizer files.
     */
    public static Result fineTune(Path from, List<TrainingExample> examples, TrainConfig train, Path outDir, LoraTrainer.Listener listener) {
        TrainableWeights w;
        ttsi.engine.model.ModelConfig mc;
        try (Model m = Model.load(from)) {
            w = m.decoder().weights().toTrainable();
            mc = m.config();
        }
        long t0 = System.nanoTime();
        List<LoraTrainer.StepReport> steps = FullTrainer.train(mc, w, examples, train, listener);
        double seconds = (System.nanoTime() - t0) / 1e9;
        try {
            Checkpoints.save(outDir, from, w, DType.BF16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Result(outDir, w.parameterCount(), steps, seconds);
    }

    private static void deleteFolder(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
