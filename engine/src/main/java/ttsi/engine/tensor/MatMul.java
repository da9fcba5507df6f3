package ttsi.engine.tensor;

/**
 * The dense kernels of the engine. Activations are row-major f32 arrays; weights are {@link Matrix} in their
 * stored dtype. Every output element is computed by one thread in a fixed order, so results are identical for
 * a given thread count (and in fact for any thread count).
 *
 * <p>Placeholder scalar implementation: correct, slow. Replaced by the Vector API kernels.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * Linear layer forward: y[t][n] = Σ_k x[t][k] · w[n][k] (+ bias[n]) for t < rows, n < w.rows().
     * x is [rows][w.cols()], y is [rows][w.rows()]; bias may be null.
     */
    public static void linear(Parallel p, float[] x, int rows, Matrix w, float[] bias, float[] y) {
        int n = w.rows(), k = w.cols();
        p.forRange(n, (from, to) -> {
            for (int t = 0; t < rows; t++) {
                for (int j = from; j < to; j++) {
                    float s = 0;
                    for (int i = 0; i < k; i++) s += x[t * k + i] * w.get(j, i);
                    y[t * n + j] = bias == null ? s : s + bias[j];
                }
            }
        });
    }

    /**
     * Input gradient of a linear layer: dx[t][k] (+)= Σ_n dy[t][n] · w[n][k]. dy is [rows][w.rows()], dx is
     * [rows][w.cols()]. With accumulate, adds into dx instead of overwriting it.
     */
    public static void linearBackwardInput(Parallel p, float[] dy, int rows, Matrix w, float[] dx, boolean accumulate) {
        int n = w.rows(), k = w.cols();
        p.forRange(k, (from, to) -> {
            for (int t = 0; t < rows; t++) {
                for (int i = from; i < to; i++) {
                    float s = 0;
                    for (int j = 0; j < n; j++) s += dy[t * n + j] * w.get(j, i);
                    dx[t * k + i] = accumulate ? dx[t * k + i] + s : s;
                }
            }
        });
    }

    /**
     * Weight gradient of a linear layer: dw[n][k] += Σ_t dy[t][n] · x[t][k]. dy is [rows][outDim], x is
     * [rows][inDim], dw is [outDim][inDim] f32.
     */
    public static void linearBackwardWeight(Parallel p, float[] dy, float[] x, int rows, int outDim, int inDim, float[] dw) {
        p.forRange(outDim, (from, to) -> {
            for (int j = from; j < to; j++) {
                for (int i = 0; i < inDim; i++) {
                    float s = 0;
                    for (int t = 0; t < rows; t++) s += dy[t * outDim + j] * x[t * inDim + i];
                    dw[j * inDim + i] += s;
                }
            }
        });
    }
}
