package ttsi.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Random data, scalar double-precision references and comparison helpers for the kernel tests. */
final class KernelTestSupport {
    private KernelTestSupport() {}

    /** The dtypes stored element by element (Q8_0, in blocks, has its own tests: {@code Q8KernelTest}). */
    static final DType[] ELEMENT_TYPES = {DType.F32, DType.BF16, DType.F16};

    static float[] randomFloats(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }

    /** A rows x cols matrix of the given dtype filled from random values, in a segment at an odd byte offset. */
    static Matrix randomMatrix(Random r, DType dt, int rows, int cols, Arena arena) {
        long n = (long) rows * cols;
        MemorySegment seg = arena.allocate(dt.byteSize(n) + 8, 8).asSlice(dt == DType.F32 ? 4 : 2, dt.byteSize(n));
        fill(r, dt, seg, n);
        return new Matrix(dt, seg, rows, cols);
    }

    static void fill(Random r, DType dt, MemorySegment seg, long n) {
        for (long i = 0; i < n; i++) {
            float v = r.nextFloat() * 2 - 1;
            switch (dt) {
                case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Matrix.floatToBf16(v));
                case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            }
        }
    }

    /** y[t][n] = Σ_k x[t][k]·w[n][k] + bias[n], in double. */
    static double[] linearRef(float[] x, int rows, Matrix w, float[] bias) {
        int n = w.rows(), k = w.cols();
        float[] wf = w.toFloats();
        double[] y = new double[rows * n];
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int i = 0; i < k; i++) s += (double) x[t * k + i] * wf[j * k + i];
                y[t * n + j] = s;
            }
        }
        return y;
    }

    /** dx[t][k] = (accumulate ? dx0 : 0) + Σ_n dy[t][n]·w[n][k], in double. */
    static double[] backwardInputRef(float[] dy, int rows, Matrix w, float[] dx0, boolean accumulate) {
        int n = w.rows(), k = w.cols();
        float[] wf = w.toFloats();
        double[] dx = new double[rows * k];
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < k; i++) {
                double s = accumulate ? dx0[t * k + i] : 0;
                for (int j = 0; j < n; j++) s += (double) dy[t * n + j] * wf[j * k + i];
                dx[t * k + i] = s;
            }
        }
        return dx;
    }

    /** dw[n][k] = dw0 + Σ_t dy[t][n]·x[t][k], in double. */
    static double[] backwardWeightRef(float[] dy, float[] x, int rows, int outDim, int inDim, float[] dw0) {
        double[] dw = new double[outDim * inDim];
        for (int j = 0; j < outDim; j++) {
            for (int i = 0; i < inDim; i++) {
                double s = dw0[j * inDim + i];
                for (int t = 0; t < rows; t++) s += (double) dy[t * outDim + j] * x[t * inDim + i];
                dw[j * inDim + i] = s;
            }
        }
        return dw;
    }

    /** |got - ref| ≤ rel · max|ref| (plus a tiny absolute floor) element-wise. */
    static void assertClose(double[] ref, float[] got, double rel, String what) {
        assertEquals(ref.length, got.length, what + ": length");
        double max = 0;
        for (double v : ref) max = Math.max(max, Math.abs(v));
        double tol = rel * max + 1e-30;
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                fail(what + ": element " + i + " got " + got[i] + " expected " + ref[i] + " (tol " + tol + ")");
            }
        }
    }

    static void assertBitsEqual(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what + ": length");
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                fail(what + ": element " + i + " differs: " + a[i] + " vs " + b[i]);
            }
        }
    }
}
