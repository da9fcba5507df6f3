package ttsi.engine.tensor;

/**
 * Small vector primitives used by attention, norms and activations (placeholder scalar versions; the
 * Vector API versions keep the same signatures).
 */
public final class VectorOps {
    private VectorOps() {}

    /** Σ a[ao+i]·b[bo+i], i < n. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo+i] += alpha · x[xo+i], i < n. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /** x[xo+i] *= alpha, i < n. */
    public static void scale(float[] x, int xo, int n, float alpha) {
        for (int i = 0; i < n; i++) x[xo + i] *= alpha;
    }

    /** Σ x[xo+i]², i < n. */
    public static float sumOfSquares(float[] x, int xo, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += x[xo + i] * x[xo + i];
        return s;
    }
}
