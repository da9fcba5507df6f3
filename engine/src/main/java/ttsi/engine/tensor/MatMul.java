package ttsi.engine.tensor;

import java.util.Objects;

/**
 * The dense kernels of the engine. Activations are row-major f32 arrays; weights are {@link Matrix} in their
 * stored dtype (f32, bf16, f16; heap or memory-mapped, any alignment). A weight segment must be readable from
 * the pool's threads: use a global, shared or automatic arena (a confined one throws WrongThreadException).
 *
 * <p>Implementations ({@code jdk.incubator.vector}): {@link DotKernels} for the forward product (a streaming
 * GEMV for bf16 weights with up to 16 token rows, a packed register-tiled GEMM otherwise), {@link OuterKernels}
 * for the two backward products, the forward from a transposed weight and the caller-threaded addProduct. Work is split over output columns; calls below ~260k multiply-adds stay on
 * the caller's thread.
 *
 * <p>Determinism: every output element is computed by one thread in a fixed summation order that depends only
 * on the shapes, never on the thread count, tiling or JIT state. For {@code linear} it does not even depend on
 * the number of token rows: a row's result is bit-identical whether it is computed alone (decode) or inside a
 * batch (prefill). {@code linearBackwardInput} likewise treats each token row on its own. The exact orders are
 * documented on the two kernel classes (and replayed in scalar code by the tests).
 */
public final class MatMul {
    private MatMul() {}

    /**
     * Linear layer forward: y[t][n] = Σ_k x[t][k] · w[n][k] (+ bias[n]) for t < rows, n < w.rows().
     * x is [rows][w.cols()], y is [rows][w.rows()]; bias may be null.
     */
    public static void linear(Parallel p, float[] x, int rows, Matrix w, float[] bias, float[] y) {
        linear(p, x, 0, w.cols(), rows, w, 0, w.rows(), bias, y, 0, w.rows());
    }

    /**
     * Strided, ranged linear forward: for t < rows and n in [nFrom, nTo),
     * y[yOff + t·yStride + (n - nFrom)] = Σ_k x[xOff + t·xStride + k] · w[n][k] (+ bias[n]).
     * Lets callers read token rows out of a wider buffer, write into a slice of a fused output (e.g. q|k|v),
     * or compute only some output features (e.g. a vocabulary slice). Same results as the plain form.
     */
    public static void linear(Parallel p, float[] x, int xOff, int xStride, int rows, Matrix w, int nFrom, int nTo,
                              float[] bias, float[] y, int yOff, int yStride) {
        int k = w.cols();
        Objects.checkFromToIndex(nFrom, nTo, w.rows());
        checkRows("x", x, xOff, xStride, rows, k);
        checkRows("y", y, yOff, yStride, rows, nTo - nFrom);
        if (bias != null && bias.length < nTo) throw new IllegalArgumentException("bias has " + bias.length + " < " + nTo);
        DotKernels.linear(p, x, xOff, xStride, rows, w, nFrom, nTo, bias, y, yOff, yStride);
    }

    /**
     * Linear forward from a transposed weight: y[t][n] = Σ_k x[t][k] · wt[k][n] (+ bias[n]) for t < rows,
     * n < wt.cols(); x is [rows][wt.rows()]. The product of {@link #linear} with W = wtᵀ, run by the backward
     * kernels, which are faster on many token rows (training). Order per element: from +0, one FMA per k in
     * increasing k, then the bias; so not bit-identical to {@link #linear}.
     */
    public static void linearTransposed(Parallel p, float[] x, int rows, Matrix wt, float[] bias, float[] y) {
        linearTransposed(p, x, 0, rows, wt, bias, y, 0);
    }

    /** {@link #linearTransposed(Parallel, float[], int, Matrix, float[], float[])} over the rows from x[xOff] into y[yOff]. */
    public static void linearTransposed(Parallel p, float[] x, int xOff, int rows, Matrix wt, float[] bias, float[] y, int yOff) {
        int k = wt.rows(), n = wt.cols();
        checkRows("x", x, xOff, k, rows, k);
        checkRows("y", y, yOff, n, rows, n);
        if (bias != null && bias.length < n) throw new IllegalArgumentException("bias has " + bias.length + " < " + n);
        OuterKernels.backwardInput(p, x, xOff, k, rows, wt, y, yOff, n, false);
        if (bias != null) for (int t = 0; t < rows; t++) VectorOps.axpy(1f, bias, 0, y, yOff + t * n, n);
    }

    /**
     * Input gradient of a linear layer: dx[t][k] (+)= Σ_n dy[t][n] · w[n][k]. dy is [rows][w.rows()], dx is
     * [rows][w.cols()]. With accumulate, adds into dx instead of overwriting it.
     */
    public static void linearBackwardInput(Parallel p, float[] dy, int rows, Matrix w, float[] dx, boolean accumulate) {
        linearBackwardInput(p, dy, 0, w.rows(), rows, w, dx, 0, w.cols(), accumulate);
    }

    /**
     * Strided input gradient: dx[dxOff + t·dxStride + k] (+)= Σ_n dy[dyOff + t·dyStride + n] · w[n][k].
     * Summation order per element: start from dx (accumulate) or +0, then one FMA per n in increasing n.
     */
    public static void linearBackwardInput(Parallel p, float[] dy, int dyOff, int dyStride, int rows, Matrix w,
                                           float[] dx, int dxOff, int dxStride, boolean accumulate) {
        checkRows("dy", dy, dyOff, dyStride, rows, w.rows());
        checkRows("dx", dx, dxOff, dxStride, rows, w.cols());
        OuterKernels.backwardInput(p, dy, dyOff, dyStride, rows, w, dx, dxOff, dxStride, accumulate);
    }

    /**
     * y[t][o] += Σ_{j<k} x[t][j] · w[o][j] for t < rows, o < n, with w a row-major [n][k] f32 array and k small (a
     * LoRA rank): {@link #linearBackwardInput} with accumulate on the transposed w, the same order per element (from
     * y, one FMA per j in increasing j, so the same bits), without making the transposed copy. On the caller's
     * thread; for a few rows (decoding through an unmerged adapter).
     */
    public static void addLinearNarrow(float[] x, int rows, float[] w, int n, int k, float[] y) {
        checkRows("x", x, 0, k, rows, k);
        checkRows("y", y, 0, n, rows, n);
        if (w.length < (long) n * k) throw new IllegalArgumentException("w has " + w.length + " < " + n + " x " + k + " floats");
        Simd.addLinearNarrow(x, rows, w, n, k, y);
    }

    /**
     * Weight gradient of a linear layer: dw[n][k] += Σ_t dy[t][n] · x[t][k]. dy is [rows][outDim], x is
     * [rows][inDim], dw is [outDim][inDim] f32. Order per element: from dw, one FMA per t in increasing t.
     */
    public static void linearBackwardWeight(Parallel p, float[] dy, float[] x, int rows, int outDim, int inDim, float[] dw) {
        linearBackwardWeight(p, dy, 0, x, 0, rows, outDim, inDim, dw);
    }

    /** {@link #linearBackwardWeight(Parallel, float[], float[], int, int, int, float[])} over the rows from dy[dyOff] and x[xOff]. */
    public static void linearBackwardWeight(Parallel p, float[] dy, int dyOff, float[] x, int xOff, int rows, int outDim, int inDim, float[] dw) {
        checkRows("dy", dy, dyOff, outDim, rows, outDim);
        checkRows("x", x, xOff, inDim, rows, inDim);
        checkRows("dw", dw, 0, inDim, outDim, inDim);
        OuterKernels.backwardWeight(p, dy, dyOff, x, xOff, rows, outDim, inDim, dw, 0, inDim);
    }

    /** {@link #addProduct} is fastest when n is a multiple of this (its register tile's width); edges take masked vectors. */
    public static final int PRODUCT_PANEL = OuterKernels.PW;

    /**
     * C[cOff + i·ldc + j] += Σ_{p<kl} A[aOff + i·aRs + p·aKs] · B[bOff + p·bKs + j] for i < m, j < n, on the
     * caller's thread: for callers that split the work themselves (attention runs one head per task). The
     * strides let A be read transposed (aRs = 1). Per element: from its current value, one FMA per p in
     * increasing p, so exact zeros among the products change nothing and any blocking gives the same bits.
     */
    public static void addProduct(float[] a, int aOff, int aRs, int aKs, int m, float[] b, int bOff, int bKs, int kl,
                                  float[] c, int cOff, int ldc, int n) {
        if (m <= 0 || n <= 0 || kl <= 0) return;
        if (aOff < 0 || aRs < 0 || aKs < 0 || bOff < 0 || bKs < 0 || cOff < 0 || ldc < n) {
            throw new IllegalArgumentException("addProduct: negative offset or stride, or ldc " + ldc + " < n " + n);
        }
        if (aOff + (long) (m - 1) * aRs + (long) (kl - 1) * aKs >= a.length) throw new IllegalArgumentException("addProduct: A has " + a.length + " elements, too few");
        if (bOff + (long) (kl - 1) * bKs + n > b.length) throw new IllegalArgumentException("addProduct: B has " + b.length + " elements, too few");
        if (cOff + (long) (m - 1) * ldc + n > c.length) throw new IllegalArgumentException("addProduct: C has " + c.length + " elements, too few");
        OuterKernels.sweep(a, aOff, aRs, aKs, m, b, bOff, bKs, kl, c, cOff, ldc, n);
    }

    private static void checkRows(String name, float[] a, int off, int stride, int rows, int width) {
        if (rows < 0 || width < 0 || off < 0) throw new IllegalArgumentException(name + ": negative size or offset");
        if (rows == 0 || width == 0) return;
        if (stride < width) throw new IllegalArgumentException(name + ": stride " + stride + " < width " + width);
        long need = off + (long) (rows - 1) * stride + width;
        if (a.length < need) throw new IllegalArgumentException(name + " has " + a.length + " elements, needs " + need);
    }
}
