package ttsi.engine.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import ttsi.engine.model.Decoder;

/**
 * Fine-tunes a LoRA adapter on a list of examples: epochs of (optionally shuffled) batches, token-averaged
 * loss per batch, gradient accumulation, global-norm clipping, AdamW with a warmup + decay schedule.
 */
public final class LoraTrainer {

    private LoraTrainer() {}

    /** Trains the adapter in place; returns one report per optimizer step. */
    public static List<StepReport> train(Decoder decoder, LoraAdapter adapter, List<TrainingExample> examples, TrainConfig cfg, StepReport.Listener listener) {
        return train(new Backprop(decoder, adapter), examples, cfg, listener);
    }

    /** Trains the pass's adapter in place, reusing the pass (and its activation buffers). */
    public static List<StepReport> train(Backprop bp, List<TrainingExample> examples, TrainConfig cfg, StepReport.Listener listener) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        LoraAdapter adapter = bp.adapter();
        List<AdamW.Param> params = new ArrayList<>();
        for (LoraAdapter.Module m : adapter.modules()) {
            params.add(new AdamW.Param(m.a, m.gradA));
            params.add(new AdamW.Param(m.b, m.gradB));
        }
        // Without dropout a pass draws no random numbers: the same parameters and tokens give the same gradient bits.
        boolean deterministic = adapter.config().dropout() == 0;
        return loop(bp::forwardBackward, deterministic, AdamW.withDefaults(params, cfg.weightDecay()), examples, cfg, listener);
    }

    /** One sequence's forward and backward, adding the gradient of lossScale · Σ losses (as Backprop's). */
    interface Pass {
        Backprop.Loss forwardBackward(int[] tokens, boolean[] target, float lossScale);
    }

    /**
     * The epoch/batch loop shared by LoRA and full-parameter training. deterministic: the pass gives the same
     * gradient for the same parameters and tokens (no dropout), so a gradient can be reused (below).
     */
    static List<StepReport> loop(Pass bp, boolean deterministic, AdamW opt, List<TrainingExample> examples, TrainConfig cfg, StepReport.Listener listener) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        int total = cfg.totalSteps(examples.size());
        LrSchedule schedule = LrSchedule.of(cfg.scheduler(), total, cfg.warmupRatio());
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        List<StepReport> reports = new ArrayList<>();
        int perStep = cfg.batchSize() * cfg.gradientAccumulation();
        // The gradient arrays hold the gradient of batch `held` at the current parameters (null: they do not).
        int[] held = null;
        double lossSum = 0;
        int tokens = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            int[] order = order(examples.size(), cfg.shuffle(), rnd);
            for (int start = 0; start < order.length; start += perStep) {
                long t0 = System.nanoTime();
                int end = Math.min(order.length, start + perStep);
                int[] batch = Arrays.copyOfRange(order, start, end);
                if (!Arrays.equals(batch, held)) {
                    opt.zeroGrad();
                    lossSum = 0;
                    tokens = 0;
                    // Token-averaged loss over each micro-batch, averaged over accumulation steps.
                    int micro = (int) Math.ceil((double) (end - start) / cfg.batchSize());
                    for (int b = start; b < end; b += cfg.batchSize()) {
                        int bEnd = Math.min(end, b + cfg.batchSize()), count = 0;
                        for (int i = b; i < bEnd; i++) count += examples.get(order[i]).targetCount();
                        if (count == 0) continue;
                        for (int i = b; i < bEnd; i++) {
                            TrainingExample ex = examples.get(order[i]);
                            Backprop.Loss l = bp.forwardBackward(ex.tokens(), ex.target(), 1f / (count * micro));
                            lossSum += l.sum() / count / micro;
                        }
                        tokens += count;
                    }
                }
                double norm = opt.gradNorm();
                double lr = cfg.learningRate() * schedule.factor(opt.steps());
                opt.step(lr, AdamW.clipFactor(norm, cfg.maxGradNorm()));
                // A step at learning rate 0 (the first of transformers' warmups, which start from 0) leaves every
                // parameter as it was, so when the next step trains on the same batch (K = 1: every step) its
                // gradient is this one, bit for bit: keep it rather than run the forward and backward again.
                held = lr == 0 && deterministic ? batch : null;
                StepReport r = new StepReport(opt.steps(), total, epoch, lossSum, norm, lr, tokens, (System.nanoTime() - t0) / 1e9);
                reports.add(r);
                if (listener != null) listener.onStep(r);
            }
        }
        opt.zeroGrad();
        return reports;
    }

    private static int[] order(int n, boolean shuffle, SplittableRandom rnd) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        if (shuffle) {
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }
}
