package ttsi.engine.model;

import ttsi.engine.tensor.Parallel;

/**
 * Something added on top of the frozen base weights of the linear layers (a LoRA adapter). The decoder calls
 * it after each base linear layer.
 */
public interface Adapter {
    /** y[rows][out] += the adapter's contribution for input x[rows][in] of a layer's projection. */
    void addDelta(Parallel p, int layer, Projection projection, float[] x, int rows, float[] y);
}
