package ttsi.engine.model;

import ttsi.engine.tensor.Parallel;

/**
 * Something added on top of the frozen base weights of the linear layers (a LoRA adapter). The decoder calls
 * it after each base linear layer; module indices follow q, k, v, o, gate, up, down.
 */
public interface Adapter {
    int Q = 0, K = 1, V = 2, O = 3, GATE = 4, UP = 5, DOWN = 6;

    /** y[rows][out] += the adapter's contribution for input x[rows][in] of module (layer, moduleIndex). */
    void addDelta(Parallel p, int layer, int moduleIndex, float[] x, int rows, float[] y);
}
