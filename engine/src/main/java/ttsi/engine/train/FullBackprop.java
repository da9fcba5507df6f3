package ttsi.engine.train;

import ttsi.engine.model.Decoder;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.TrainableWeights;

/**
 * Causal-LM loss and the gradient of every weight (embedding, projections and q/k/v biases, all norm weights,
 * LM head), accumulated into a {@link TrainableWeights}' grad arrays. Shares its forward and backward with
 * {@link Backprop}, run without an adapter.
 */
public final class FullBackprop {
    private final TrainableWeights weights;
    private final Decoder decoder;
    private final Backprop pass;

    public FullBackprop(ModelConfig config, TrainableWeights weights) {
        this.weights = weights;
        this.decoder = new Decoder(config, weights.weights());
        this.pass = new Backprop(decoder, null, weights);
    }

    /** The inference decoder over the trainable weights (sees every update). */
    public Decoder decoder() {
        return decoder;
    }

    public TrainableWeights weights() {
        return weights;
    }

    /**
     * Forward and backward over one sequence: token t is a target when target[t] (t ≥ 1). Gradients of
     * lossScale · Σ losses are added to the weights' grads.
     */
    public Backprop.Loss forwardBackward(int[] tokens, boolean[] target, float lossScale) {
        return pass.forwardBackward(tokens, target, lossScale);
    }

    Backprop pass() {
        return pass;
    }

    /** Frees the activation buffers. */
    public void release() {
        pass.release();
    }
}
