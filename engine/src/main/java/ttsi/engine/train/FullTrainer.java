package ttsi.engine.train;

import java.util.ArrayList;
import java.util.List;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.TrainableWeights;

/**
 * Full-parameter fine-tuning: the same epochs, batches, token-averaged loss, clipping and warmup + schedule as
 * {@link LoraTrainer}, with AdamW over every weight. Weight decay applies to the matrices (embedding, projections,
 * LM head) and not to norm weights or biases, as the HF Trainer's default decay-parameter filter does. Memory:
 * values, grads and two moments, all f32 (16 bytes a parameter).
 */
public final class FullTrainer {
    private FullTrainer() {}

    /** Trains the weights in place; returns one report per optimizer step. */
    public static List<StepReport> train(ModelConfig config, TrainableWeights weights, List<TrainingExample> examples,
                                                     TrainConfig cfg, StepReport.Listener listener) {
        FullBackprop bp = new FullBackprop(config, weights);
        try {
            return LoraTrainer.loop(bp::forwardBackward, true, optimizer(weights, cfg.weightDecay()), examples, cfg, listener);
        } finally {
            bp.release();
        }
    }

    /** AdamW (β 0.9/0.999, ε 1e-8) over every tensor; no decay on 1-D tensors (norms, biases). */
    public static AdamW optimizer(TrainableWeights weights, double weightDecay) {
        return optimizer(weights, weightDecay, 0.9, 0.999);
    }

    /** AdamW with the given betas (ε 1e-8) over every tensor; no decay on 1-D tensors (norms, biases). */
    public static AdamW optimizer(TrainableWeights weights, double weightDecay, double beta1, double beta2) {
        List<AdamW.Param> params = new ArrayList<>();
        List<TrainableWeights.Tensor> ts = weights.tensors();
        boolean[] decays = new boolean[ts.size()];
        for (int i = 0; i < ts.size(); i++) {
            TrainableWeights.Tensor t = ts.get(i);
            params.add(new AdamW.Param(t.value(), t.grad()));
            decays[i] = t.shape().length > 1;
        }
        return new AdamW(params, decays, beta1, beta2, 1e-8, weightDecay);
    }
}
