package ttsi.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.Golden;
import ttsi.engine.format.FormatException;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.Model;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.TinyModels;

class TrainingTest {

    static TrainingExample example(int vocab, int promptLen, int answerLen, long seed) {
        var r = new java.util.SplittableRandom(seed);
        return TrainingExample.promptAndAnswer(r.ints(promptLen, 0, vocab).toArray(), r.ints(answerLen, 0, vocab).toArray());
    }

    @Test
    void adamwFirstStepMovesEachParameterByLrTimesSign() {
        float[] p = {1f, -2f, 0.5f}, g = {0.3f, -0.01f, 2f};
        AdamW opt = AdamW.withDefaults(List.of(new AdamW.Param(p, g)), 0.0);
        opt.step(0.1);
        assertArrayEquals(new float[] {0.9f, -1.9f, 0.4f}, p, 1e-5f);
        // weight decay is decoupled: p ← p(1 − lr·wd) first
        float[] q = {1f}, h = {0f};
        AdamW.withDefaults(List.of(new AdamW.Param(q, h)), 0.5).step(0.1);
        assertEquals(0.95f, q[0], 1e-6f);
    }

    @Test
    void adamwSecondStepMatchesTheFormula() {
        float[] p = {0f}, g = {1f};
        AdamW opt = AdamW.withDefaults(List.of(new AdamW.Param(p, g)), 0.0);
        opt.step(1e-2);
        g[0] = -3f;
        opt.step(1e-2);
        double m = 0.9 * 0.1 + 0.1 * -3, v = 0.999 * 0.001 + 0.001 * 9;
        double expected = -1e-2 - 1e-2 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
        assertEquals(expected, p[0], 1e-7);
    }

    @Test
    void clipGradNormScalesToTheLimit() {
        float[] g = {3f, 4f};
        AdamW opt = AdamW.withDefaults(List.of(new AdamW.Param(new float[2], g)), 0);
        assertEquals(5.0, opt.clipGradNorm(1.0), 1e-9);
        assertEquals(1.0, opt.gradNorm(), 1e-5);
    }

    @Test
    void steppingWithTheClipFactorIsClippingInPlaceThenStepping() {
        var r = new java.util.SplittableRandom(11);
        float[] g = new float[40];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian() * 3;
        float[] p1 = new float[40], p2 = new float[40], g1 = g.clone(), g2 = g.clone();
        AdamW inPlace = AdamW.withDefaults(List.of(new AdamW.Param(p1, g1)), 0.1), scaled = AdamW.withDefaults(List.of(new AdamW.Param(p2, g2)), 0.1);
        double norm = inPlace.clipGradNorm(1.0);
        inPlace.step(3e-2);
        float c = AdamW.clipFactor(scaled.gradNorm(), 1.0);
        assertTrue(norm > 1 && c < 1, "the gradient is clipped");
        scaled.step(3e-2, c);
        assertArrayEquals(p1, p2, "same parameters, bit for bit");
        assertArrayEquals(g, g2, "the gradient arrays are left as they were");
        assertEquals(1f, AdamW.clipFactor(0.5, 1.0));
        assertEquals(1f, AdamW.clipFactor(5, 0), "max norm 0: no clipping");
    }

    /** LoRA training through the shared loop, counting forward-and-backward passes; returns every A then B. */
    private static float[] trainCounting(Decoder d, ModelConfig c, List<TrainingExample> data, boolean deterministic, int[] passes, List<StepReport> reports) {
        LoraAdapter ad = LoraAdapter.create(c, LoraConfig.defaults().withSeed(9));
        Backprop bp = new Backprop(d, ad);
        List<AdamW.Param> params = new ArrayList<>();
        for (LoraAdapter.Module m : ad.modules()) {
            params.add(new AdamW.Param(m.a, m.gradA));
            params.add(new AdamW.Param(m.b, m.gradB));
        }
        LoraTrainer.Pass counting = (tokens, target, scale) -> {
            passes[0]++;
            return bp.forwardBackward(tokens, target, scale);
        };
        reports.addAll(LoraTrainer.loop(counting, deterministic, AdamW.withDefaults(params, 0.0), data, TrainConfig.paperDefaults().withLearningRate(1e-2), null));
        List<float[]> parts = new ArrayList<>();
        for (LoraAdapter.Module m : ad.modules()) parts.add(m.a);
        for (LoraAdapter.Module m : ad.modules()) parts.add(m.b);
        return concat(parts);
    }

    @Test
    void theStepAtLearningRateZeroLendsItsGradientToTheNextStepOnTheSameExample() {
        // Paper settings with K = 1: five steps on one example, the first at learning rate 0 (warmup from 0).
        ModelConfig c = TinyModels.qwen2();
        Decoder d = TinyModels.random(c, 3);
        List<TrainingExample> one = List.of(example(c.vocabSize(), 9, 5, 4));
        int[] reused = {0}, recomputed = {0};
        List<StepReport> reusedSteps = new ArrayList<>(), recomputedSteps = new ArrayList<>();
        float[] a = trainCounting(d, c, one, true, reused, reusedSteps);
        float[] b = trainCounting(d, c, one, false, recomputed, recomputedSteps); // the reference: every gradient computed
        assertEquals(5, recomputed[0]);
        assertEquals(4, reused[0], "the second step reuses the first step's gradient");
        assertEquals(0.0, reusedSteps.get(0).lr());
        assertArrayEquals(b, a, "the same adapter, bit for bit");
        for (int i = 0; i < 5; i++) {
            assertEquals(recomputedSteps.get(i).loss(), reusedSteps.get(i).loss(), "step " + i + " loss");
            assertEquals(recomputedSteps.get(i).gradNorm(), reusedSteps.get(i).gradNorm(), "step " + i + " gradient norm");
        }
        // Two examples, batch 1: the second step trains on the other example, so nothing is reused.
        int[] two = {0};
        trainCounting(d, c, List.of(one.get(0), example(c.vocabSize(), 6, 3, 5)), true, two, new ArrayList<>());
        assertEquals(10, two[0]);
    }

    @Test
    void cosineWithWarmupAsTransformers() {
        LrSchedule s = LrSchedule.of("cosine", 5, 0.03); // warmup = ceil(0.15) = 1
        assertEquals(1, s.warmupSteps());
        double[] expected = {0, 1, 0.5 * (1 + Math.cos(Math.PI / 4)), 0.5, 0.5 * (1 + Math.cos(3 * Math.PI / 4))};
        for (int i = 0; i < 5; i++) assertEquals(expected[i], s.factor(i), 1e-12, "step " + i);
        LrSchedule lin = LrSchedule.of("linear", 10, 0.2);
        assertEquals(0.5, lin.factor(1), 1e-12);
        assertEquals(1.0, lin.factor(2), 1e-12);
        assertEquals(0.5, lin.factor(6), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.of("exotic", 3, 0));
    }

    @Test
    void tinyModelOverfitsOneExample() {
        // The golden qwen2 checkpoint (weights of scale 0.2, so logits can become confident).
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
        ModelConfig c = m.config();
        TrainingExample ex = example(c.vocabSize(), 6, 8, 3);
        LoraAdapter ad = LoraAdapter.create(c, new LoraConfig(8, 16, 0, false, LoraConfig.ALL_LINEAR, 1));
        TrainConfig cfg = new TrainConfig(60, 1, 1, 1e-2, 0.0, "constant", 0.0, 1.0, false, 0);
        var steps = LoraTrainer.train(m.decoder(), ad, List.of(ex), cfg, null);
        assertEquals(60, steps.size());
        double first = steps.get(0).loss(), last = steps.get(steps.size() - 1).loss();
        assertTrue(first > 3, "initial loss " + first);
        assertTrue(last < 0.05, "final loss " + last + " (first " + first + ")");
        }
    }

    @Test
    void anAdaptersDeltaForOneRowIsThatRowsDeltaInABatch() {
        // Decoding (few rows) multiplies by B directly; a prefill by its transposed copy: the same bits either way.
        ModelConfig c = TinyModels.qwen2();
        LoraAdapter ad = LoraAdapter.create(c, LoraConfig.defaults());
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (LoraAdapter.Module m : ad.modules()) {
            for (int i = 0; i < m.a.length; i++) m.a[i] = (float) r.nextGaussian();
            for (int i = 0; i < m.b.length; i++) m.b[i] = (float) r.nextGaussian();
        }
        int rows = LoraAdapter.FEW_ROWS + 3;
        ttsi.engine.tensor.Parallel p = ttsi.engine.tensor.Parallel.global();
        for (LoraAdapter.Module m : ad.modules()) {
            float[] x = new float[rows * m.in], batch = new float[rows * m.out];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < batch.length; i++) batch[i] = (float) r.nextGaussian();
            float[] alone = batch.clone();
            ad.addDelta(p, m.layer, m.projection, x, rows, batch);
            for (int t = 0; t < rows; t++) {
                float[] xt = Arrays.copyOfRange(x, t * m.in, (t + 1) * m.in), yt = Arrays.copyOfRange(alone, t * m.out, (t + 1) * m.out);
                ad.addDelta(p, m.layer, m.projection, xt, 1, yt);
                assertArrayEquals(Arrays.copyOfRange(batch, t * m.out, (t + 1) * m.out), yt, m.path() + " row " + t);
            }
        }
    }

    @Test
    void resetIsBitIdenticalToTheBaseModelAndSeedsReproduce() {
        ModelConfig c = TinyModels.llama3();
        Decoder d = TinyModels.random(c, 5);
        int[] probe = {3, 14, 15, 92, 65, 35};
        float[] before = d.logits(probe);
        TestTimeTrainer ttt = new TestTimeTrainer(d, LoraConfig.defaults(), TrainConfig.paperDefaults().withLearningRate(1e-2));
        List<TrainingExample> data = List.of(example(c.vocabSize(), 5, 4, 1), example(c.vocabSize(), 7, 3, 2));
        float[] adaptedA, adaptedB;
        float[] weightsA;
        try (var a = ttt.adapt(data, 42, null)) {
            assertEquals(10, a.steps().size()); // 2 examples x 5 epochs, batch 1
            adaptedA = d.forward(a.newState(), probe, 0, probe.length, probe.length);
            weightsA = a.adapter().modules().get(3).b.clone();
        }
        assertArrayEquals(before, d.logits(probe), "after reset the base model's logits are bit-identical");
        assertFalse(Arrays.equals(before, adaptedA), "the adaptation changed the outputs");
        try (var b = ttt.adapt(data, 42, null)) {
            adaptedB = d.forward(b.newState(), probe, 0, probe.length, probe.length);
            assertArrayEquals(weightsA, b.adapter().modules().get(3).b, "same seed, same adapter");
        }
        assertArrayEquals(adaptedA, adaptedB, "same seed, same adapted outputs");
        try (var other = ttt.adapt(data, 43, null)) {
            assertFalse(Arrays.equals(weightsA, other.adapter().modules().get(3).b), "another seed, another adapter");
        }
        assertArrayEquals(before, d.logits(probe));
        var closed = ttt.adapt(data, 1, null);
        closed.close();
        assertThrows(IllegalStateException.class, closed::newState);
    }

    @Test
    void skippingTheLastLayersRowsWithoutLossChangesNoGradient() {
        // Loss on the answer only: the last layer's output projection and MLP skip the prompt rows (the GEMM
        // attention path at 45 tokens and the row path at 12); LoRA and full-parameter gradients are the same bits.
        for (ModelConfig c : new ModelConfig[] {TinyModels.qwen2(), TinyModels.llama3()}) {
            Decoder d = TinyModels.random(c, 6);
            for (TrainingExample ex : List.of(example(c.vocabSize(), 40, 5, 4), example(c.vocabSize(), 9, 3, 5))) {
                float[][] lora = new float[2][], full = new float[2][];
                for (int run = 0; run < 2; run++) {
                    LoraAdapter ad = LoraAdapter.create(c, LoraConfig.defaults().withSeed(3));
                    for (LoraAdapter.Module m : ad.modules()) Arrays.fill(m.b, 0.01f); // B = 0 would hide A's gradient
                    Backprop pass = new Backprop(d, ad);
                    pass.restrictLastLayer = run == 0;
                    pass.forwardBackward(ex.tokens(), ex.target(), 1f);
                    lora[run] = flatten(ad);

                    FullBackprop fb = new FullBackprop(c, d.weights().toTrainable());
                    fb.pass().restrictLastLayer = run == 0;
                    fb.forwardBackward(ex.tokens(), ex.target(), 1f);
                    List<float[]> grads = new ArrayList<>();
                    for (var t : fb.weights().tensors()) grads.add(t.grad());
                    full[run] = concat(grads);
                }
                assertArrayEquals(lora[1], lora[0], "LoRA gradients");
                assertArrayEquals(full[1], full[0], "full-parameter gradients");
            }
        }
    }

    private static float[] flatten(LoraAdapter ad) {
        List<float[]> grads = new ArrayList<>();
        for (LoraAdapter.Module m : ad.modules()) {
            grads.add(m.gradA);
            grads.add(m.gradB);
        }
        return concat(grads);
    }

    private static float[] concat(List<float[]> parts) {
        float[] all = new float[parts.stream().mapToInt(a -> a.length).sum()];
        int o = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, all, o, a.length);
            o += a.length;
        }
        return all;
    }

    @Test
    void buffersKeptFromEarlierAdaptationsChangeNothing() {
        ModelConfig c = TinyModels.llama3();
        Decoder d = TinyModels.random(c, 5);
        TrainConfig tc = TrainConfig.paperDefaults().withLearningRate(1e-2);
        List<TrainingExample> data = List.of(example(c.vocabSize(), 5, 4, 1), example(c.vocabSize(), 7, 3, 2));
        // A medium sequence, then a long one (the buffers grow, with headroom; GEMM attention), then the short data
        // on the same trainer.
        TestTimeTrainer reused = new TestTimeTrainer(d, LoraConfig.defaults(), tc);
        reused.adapt(List.of(example(c.vocabSize(), 30, 4, 8)), 6, null).close();
        reused.adapt(List.of(example(c.vocabSize(), 45, 6, 3)), 7, null).close();
        float[] a, b;
        try (var x = reused.adapt(data, 42, null)) {
            a = x.adapter().modules().get(5).a.clone();
        }
        try (var y = new TestTimeTrainer(d, LoraConfig.defaults(), tc).adapt(data, 42, null)) {
            b = y.adapter().modules().get(5).a;
        }
        assertArrayEquals(b, a, "a trainer that kept its buffers trains the same adapter as a fresh one");
    }

    @Test
    void memoryDoesNotGrowOver1000AdaptResetCycles() {
        ModelConfig c = TinyModels.qwen2();
        Decoder d = TinyModels.random(c, 2);
        TestTimeTrainer ttt = new TestTimeTrainer(d, LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1));
        List<TrainingExample> data = List.of(example(c.vocabSize(), 6, 4, 9));
        int[] probe = {1, 2, 3};
        float[] base = d.logits(probe);
        long after100 = 0;
        for (int i = 1; i <= 1000; i++) {
            try (var a = ttt.adapt(data, i, null)) {
                d.forward(a.newState(), probe, 0, probe.length, 1);
            }
            if (i == 100) after100 = usedHeapAfterGc();
        }
        long after1000 = usedHeapAfterGc();
        assertTrue(after1000 < after100 + (8L << 20), "heap grew from " + after100 + " to " + after1000 + " bytes");
        assertArrayEquals(base, d.logits(probe));
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void peftRoundTripKeepsWeightsAndOutputs(@TempDir Path dir) {
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
            LoraAdapter ad = LoraAdapter.loadPeft(Golden.ROOT.resolve("qwen2-tied-bias/adapter"), m.config());
            ad.savePeft(dir, "qwen2-tied-bias");
            LoraAdapter back = LoraAdapter.loadPeft(dir, m.config());
            assertEquals(ad.modules().size(), back.modules().size());
            for (int i = 0; i < ad.modules().size(); i++) {
                assertArrayEquals(ad.modules().get(i).a, back.modules().get(i).a);
                assertArrayEquals(ad.modules().get(i).b, back.modules().get(i).b);
            }
            assertEquals(ad.scale(), back.scale());
            int[] probe = {5, 6, 7, 8};
            assertArrayEquals(m.decoder().forward(m.decoder().newState(ad), probe, 0, 4, 4), m.decoder().forward(m.decoder().newState(back), probe, 0, 4, 4));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badAdaptersAreNamed(@TempDir Path dir) throws Exception {
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
            var e = assertThrows(FormatException.class, () -> LoraAdapter.loadPeft(dir, m.config()));
            assertTrue(e.getMessage().contains("adapter_config.json: file not found"), e.getMessage());
            java.nio.file.Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":4,\"target_modules\":[\"q_proj\",\"lm_head\"]}");
            e = assertThrows(FormatException.class, () -> LoraAdapter.loadPeft(dir, m.config()));
            assertTrue(e.getMessage().contains("target module 'lm_head'"), e.getMessage());
            java.nio.file.Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":8,\"target_modules\":[\"q_proj\"]}");
            java.nio.file.Files.copy(Golden.ROOT.resolve("qwen2-tied-bias/adapter/adapter_model.safetensors"), dir.resolve("adapter_model.safetensors"));
            e = assertThrows(FormatException.class, () -> LoraAdapter.loadPeft(dir, m.config()));
            assertTrue(e.getMessage().contains("has shape [4, 64], expected [8, 64]"), e.getMessage());
        }
    }

    @Test
    void dropoutTrainsAndIsSeeded() {
        ModelConfig c = TinyModels.qwen2();
        Decoder d = TinyModels.random(c, 4);
        List<TrainingExample> data = new ArrayList<>(List.of(example(c.vocabSize(), 5, 5, 7)));
        LoraConfig lc = new LoraConfig(4, 8, 0.3, false, List.of("q_proj", "down_proj"), 3);
        TrainConfig tc = new TrainConfig(3, 1, 1, 1e-2, 0, "constant", 0.01, 1.0, false, 0);
        LoraAdapter a = LoraAdapter.create(c, lc), b = LoraAdapter.create(c, lc);
        var ra = LoraTrainer.train(d, a, data, tc, null);
        var rb = LoraTrainer.train(d, b, data, tc, null);
        assertEquals(ra.get(2).loss(), rb.get(2).loss());
        assertArrayEquals(a.modules().get(0).a, b.modules().get(0).a);
    }
}
