package ttsi.engine.perf;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import ttsi.engine.tensor.DType;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.OpProfile;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.State;
import ttsi.engine.model.Weights;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.LoraAdapter;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.LoraTrainer;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;

/**
 * Engine throughput on random weights with a real model's shapes (speed does not depend on the values):
 * prefill of a 256-token prompt, 32 decode tokens after it, and the achieved GFLOP/s.
 */
public final class EngineBench {

    /**
     * trainTargets: loss on the last this many tokens of the training sequence (0: on every token). decodeContext:
     * how many of the prompt's tokens stay in the cache before decoding (-1: all of them; 0: decode from an empty
     * cache, as llama-bench's tg test does).
     */
    public record Options(String shape, DType dtype, int threads, int prefillTokens, int decodeTokens, int trainTokens, int trainTargets, int reps,
                          int decodeContext) {}

    private EngineBench() {}

    /** A built-in shape name (qwen2.5-0.5b, qwen2.5-1.5b, llama-3.2-1b) or a path to a config.json. */
    public static ModelConfig shape(String name) {
        Path file = Path.of(name);
        return ModelConfig.fromJson(Files.isRegularFile(file) ? file : Path.of(name + ".json"), shapeJson(name));
    }

    /** The config.json of a built-in shape name or a config.json path, as JSON. */
    public static com.fasterxml.jackson.databind.JsonNode shapeJson(String name) {
        Path file = Path.of(name);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            if (Files.isRegularFile(file)) return json.readTree(file.toFile());
            try (InputStream in = EngineBench.class.getResourceAsStream("/ttsi/engine/shapes/" + name + ".json")) {
                if (in == null) {
                    throw new IllegalArgumentException("unknown shape '" + name + "': use qwen2.5-0.5b, qwen2.5-1.5b, llama-3.2-1b or a config.json path");
                }
                return json.readTree(in);
            }
        } catch (IOException e) {
            throw new ttsi.engine.format.FormatException(file, "cannot read: " + e.getMessage());
        }
    }

    public static Map<String, Object> run(Options o) {
        Parallel.setGlobalThreads(o.threads());
        ModelConfig c = shape(o.shape());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("shape", o.shape());
        r.put("dtype", o.dtype().name().toLowerCase());
        r.put("threads", o.threads());
        r.put("parameters", c.parameterCount());
        try (Arena arena = Arena.ofShared()) {
            long t0 = System.nanoTime();
            Weights w = Weights.random(c, o.dtype(), 1, arena);
            r.put("init_s", round((System.nanoTime() - t0) / 1e9, 2));
            Decoder d = new Decoder(c, w);
            SplittableRandom rnd = new SplittableRandom(7);
            int[] prompt = new int[o.prefillTokens()];
            for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(c.vocabSize());

            // Prefill, logits of the last position only (as for generation).
            d.forward(d.newState(), prompt, 0, Math.min(32, prompt.length), 1); // warm-up (JIT)
            double best = Double.MAX_VALUE, total = 0;
            State s = null;
            OpProfile.reset();
            for (int rep = 0; rep < o.reps(); rep++) {
                s = d.newState();
                long t = System.nanoTime();
                d.forward(s, prompt, 0, prompt.length, 1);
                double sec = (System.nanoTime() - t) / 1e9;
                best = Math.min(best, sec);
                total += sec;
            }
            if (OpProfile.ON) r.put("prefill_profile", profile(total, o.reps()));
            double prefillFlops = forwardFlops(c, prompt.length, 0, 1);
            r.put("prefill_tokens_per_s", round(prompt.length / best, 1));
            r.put("prefill_gflops", round(prefillFlops / best / 1e9, 1));

            // Decode: one token at a time after the prompt (or the first decodeContext tokens of it), greedy.
            int context = o.decodeContext() < 0 ? prompt.length : Math.min(o.decodeContext(), prompt.length);
            double bestDecode = Double.MAX_VALUE, totalDecode = 0;
            int[] one = new int[1];
            OpProfile.reset();
            for (int rep = 0; rep < Math.max(1, o.reps() - 1); rep++) {
                s.truncate(context);
                one[0] = prompt[Math.max(0, context - 1)];
                long t = System.nanoTime();
                for (int i = 0; i < o.decodeTokens(); i++) {
                    float[] logits = d.forward(s, one, 0, 1, 1);
                    one[0] = ttsi.engine.sample.Sampler.argmax(logits, 0, c.vocabSize());
                }
                double sec = (System.nanoTime() - t) / 1e9;
                bestDecode = Math.min(bestDecode, sec);
                totalDecode += sec;
            }
            if (OpProfile.ON) r.put("decode_profile", profile(totalDecode, Math.max(1, o.reps() - 1)));
            double decodeFlops = 0;
            for (int i = 0; i < o.decodeTokens(); i++) decodeFlops += forwardFlops(c, 1, context + i, 1);
            r.put("decode_tokens_per_s", round(o.decodeTokens() / bestDecode, 1));
            r.put("decode_gflops", round(decodeFlops / bestDecode / 1e9, 1));
            long weightBytes = weightBytes(c, o.dtype());
            r.put("decode_weight_gb_per_s", round(weightBytes * o.decodeTokens() / bestDecode / 1e9, 1));
            s = null;
            r.put("peak_rss_gib_inference", round(peakRssBytes() / (double) (1L << 30), 2));

            if (o.trainTokens() > 0) {
                // One LoRA step (r 8, all linear layers): forward + backward + AdamW on one sequence, loss on every token
                // or, like SFT on a prompt and its answer, on the last trainTargets tokens.
                int[] seq = new int[o.trainTokens() + 1];
                for (int i = 0; i < seq.length; i++) seq[i] = rnd.nextInt(c.vocabSize());
                boolean[] target = new boolean[seq.length];
                int targets = o.trainTargets() > 0 ? Math.min(o.trainTargets(), o.trainTokens()) : o.trainTokens();
                java.util.Arrays.fill(target, seq.length - targets, seq.length, true);
                var example = java.util.List.of(new TrainingExample(seq, target));
                var adapter = LoraAdapter.create(c, LoraConfig.defaults());
                var cfg = new TrainConfig(1, 1, 1, 1e-4, 0, "constant", 0, 1.0, false, 0);
                // One pass reused across steps, as test-time training reuses it across adaptations.
                var pass = new ttsi.engine.train.Backprop(d, adapter);
                LoraTrainer.train(pass, example, cfg, null); // warm-up
                double bestStep = Double.MAX_VALUE;
                for (int rep = 0; rep < Math.max(1, o.reps() - 1); rep++) {
                    long t = System.nanoTime();
                    LoraTrainer.train(pass, example, cfg, null);
                    bestStep = Math.min(bestStep, (System.nanoTime() - t) / 1e9);
                }
                r.put("lora_step_s", round(bestStep, 2));
                r.put("lora_train_tokens_per_s", round(o.trainTokens() / bestStep, 1));
            }
        }
        r.put("peak_rss_gib", round(peakRssBytes() / (double) (1L << 30), 2));
        return r;
    }

    /**
     * {@link OpProfile}'s seconds per op, averaged over the reps, with each op's share of the measured wall time and
     * what no op accounts for ("other": the loop, allocation, the timer itself).
     */
    private static Map<String, Object> profile(double totalSeconds, int reps) {
        Map<String, Object> out = new LinkedHashMap<>();
        double accounted = 0;
        for (var e : OpProfile.seconds().entrySet()) {
            double sec = e.getValue() / reps;
            accounted += sec;
            out.put(e.getKey(), String.format(java.util.Locale.ROOT, "%.4f s (%.1f%%)", sec, 100 * sec * reps / totalSeconds));
        }
        double other = totalSeconds / reps - accounted;
        out.put("other", String.format(java.util.Locale.ROOT, "%.4f s (%.1f%%)", other, 100 * other * reps / totalSeconds));
        return out;
    }

    /** FLOPs of a forward over `tokens` new tokens after `past` cached ones, with logits for `logitRows`. */
    public static double forwardFlops(ModelConfig c, int tokens, int past, int logitRows) {
        double h = c.hiddenSize();
        double linear = h * c.qDim() + 2 * h * c.kvDim() + c.qDim() * h + 3 * h * c.intermediateSize();
        double attn = 0;
        for (int t = 0; t < tokens; t++) attn += 4.0 * c.qDim() * (past + t + 1); // QKᵀ and PV
        return c.numLayers() * (2 * linear * tokens + attn) + 2.0 * h * c.vocabSize() * logitRows;
    }

    /** Bytes of the weights (Q8_0: 34 per 32, rounded; the few norm and bias values are counted alike). */
    static long weightBytes(ModelConfig c, DType dtype) {
        long n = c.parameterCount();
        return dtype.elementWise() ? dtype.byteSize(n) : dtype.byteSize(n / DType.Q8_BLOCK * DType.Q8_BLOCK);
    }

    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
        }
        return -1;
    }

    /** Rounds to at least `digits` decimals and at least 3 significant digits (tiny shapes give tiny rates). */
    static double round(double v, int digits) {
        if (v == 0 || !Double.isFinite(v)) return v;
        int sig = Math.max(digits, 2 - (int) Math.floor(Math.log10(Math.abs(v))));
        return new java.math.BigDecimal(v).setScale(sig, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }
}
