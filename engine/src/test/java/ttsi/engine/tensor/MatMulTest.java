package ttsi.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static ttsi.engine.tensor.KernelTestSupport.assertBitsEqual;
import static ttsi.engine.tensor.KernelTestSupport.assertClose;
import static ttsi.engine.tensor.KernelTestSupport.randomFloats;
import static ttsi.engine.tensor.KernelTestSupport.randomMatrix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatMulTest {

    private static final double TOL = 1e-5;
    private static Parallel p1, p2, p3;

    @BeforeAll
    static void pools() {
        p1 = new Parallel(1);
        p2 = new Parallel(2);
        p3 = new Parallel(3);
    }

    @AfterAll
    static void close() {
        p1.close();
        p2.close();
        p3.close();
    }

    // rows, in (k), out (n): odd sizes, vector/tile/block edges, both the GEMV and the packed path.
    private static final int[][] LINEAR_SHAPES = {
            {1, 1, 1}, {1, 3, 5}, {1, 17, 33}, {1, 65, 127}, {1, 513, 7}, {1, 1100, 9},
            {2, 33, 17}, {3, 127, 65}, {4, 16, 4}, {5, 17, 3}, {5, 1, 2}, {6, 64, 8},
            {7, 33, 129}, {13, 513, 31}, {64, 65, 127}, {129, 127, 33}, {129, 1100, 130}, {300, 40, 12},
            {8, 2100, 5}, {9, 2100, 70}, {50, 96, 37}, {20, 2048, 9}, {16, 32, 4},
    };

    @Test
    void linearMatchesReferenceAllDtypes() {
        Random r = new Random(1);
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : KernelTestSupport.ELEMENT_TYPES) {
                for (int[] s : LINEAR_SHAPES) {
                    int rows = s[0], k = s[1], n = s[2];
                    Matrix w = randomMatrix(r, dt, n, k, arena);
                    float[] x = randomFloats(r, rows * k);
                    for (boolean withBias : new boolean[] {false, true}) {
                        float[] bias = withBias ? randomFloats(r, n) : null;
                        float[] y = new float[rows * n];
                        MatMul.linear(p2, x, rows, w, bias, y);
                        assertClose(KernelTestSupport.linearRef(x, rows, w, bias), y, TOL,
                                "linear " + dt + " " + Arrays.toString(s) + " bias=" + withBias);
                    }
                }
            }
        }
    }

    /** The documented order, in scalar code: per k block, lane-wise FMA from zero; blocks added; lane tree. */
    private static float canonicalDot(float[] x, int xo, float[] w, int wo, int k) {
        float[] sum = new float[Simd.L], blk = new float[Simd.L];
        int block = k <= 1536 ? k : 1024; // one block up to 1,536 columns, else blocks of 1,024
        for (int kb = 0; kb < k; kb += block) {
            Arrays.fill(blk, 0f);
            for (int i = kb; i < Math.min(k, kb + block); i++) {
                int l = (i - kb) % Simd.L;
                blk[l] = Math.fma(x[xo + i], w[wo + i], blk[l]);
            }
            for (int l = 0; l < Simd.L; l++) sum[l] = kb == 0 ? blk[l] : sum[l] + blk[l];
        }
        return Simd.reduceScalar(sum, 0);
    }

    @Test
    void linearFollowsDocumentedOrderExactly() {
        Random r = new Random(2);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : new int[][] {{1, 1100, 9}, {3, 517, 6}, {11, 2100, 13}, {40, 77, 5}, {7, 1500, 30}, {14, 2048, 10}, {30, 64, 7}, {20, 1536, 9}, {1, 1536, 5}, {19, 1552, 6}}) {
                int rows = s[0], k = s[1], n = s[2];
                Matrix w = randomMatrix(r, s[0] == 7 ? DType.F16 : DType.BF16, n, k, arena);
                float[] wf = w.toFloats(), x = randomFloats(r, rows * k), bias = randomFloats(r, n);
                float[] y = new float[rows * n], expect = new float[rows * n];
                for (int t = 0; t < rows; t++) {
                    for (int j = 0; j < n; j++) expect[t * n + j] = canonicalDot(x, t * k, wf, j * k, k) + bias[j];
                }
                // Repeated so that both interpreted and C2-compiled kernels are checked.
                for (int rep = 0; rep < 300; rep++) {
                    MatMul.linear(p2, x, rows, w, bias, y);
                    if (rep % 100 == 0 || rep == 299) assertBitsEqual(expect, y, "canonical order " + Arrays.toString(s) + " rep " + rep);
                }
            }
        }
    }

    @Test
    void linearIsDeterministicAcrossRunsThreadsAndBatchSize() {
        Random r = new Random(3);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : new int[][] {{37, 600, 70}, {8, 96, 200}, {3, 1030, 41}, {20, 2100, 9}, {13, 2048, 30}}) {
                int rows = s[0], k = s[1], n = s[2];
                Matrix w = randomMatrix(r, DType.BF16, n, k, arena);
                float[] x = randomFloats(r, rows * k), bias = randomFloats(r, n);
                float[] a = new float[rows * n], b = new float[rows * n], c = new float[rows * n], d = new float[rows * n];
                MatMul.linear(p2, x, rows, w, bias, a);
                MatMul.linear(p2, x, rows, w, bias, b);
                MatMul.linear(p1, x, rows, w, bias, c);
                MatMul.linear(p3, x, rows, w, bias, d);
                assertBitsEqual(a, b, "repeat");
                assertBitsEqual(a, c, "1 vs 2 threads");
                assertBitsEqual(a, d, "3 vs 2 threads");
                // Each token alone (decode path) gives the same bits as inside the batch (prefill path).
                float[] one = new float[n];
                for (int t = 0; t < rows; t++) {
                    MatMul.linear(p2, Arrays.copyOfRange(x, t * k, (t + 1) * k), 1, w, bias, one);
                    assertBitsEqual(Arrays.copyOfRange(a, t * n, (t + 1) * n), one, "row " + t + " alone");
                }
            }
        }
    }

    @Test
    void stridedRangedLinearMatchesPlain() {
        Random r = new Random(4);
        try (Arena arena = Arena.ofShared()) {
            for (int rows : new int[] {1, 3, 20}) {
                int k = 70, n = 50, xStride = 75, yStride = 61, xOff = 3, yOff = 5, nFrom = 7, nTo = 43;
                Matrix w = randomMatrix(r, DType.BF16, n, k, arena);
                float[] x = randomFloats(r, rows * k), bias = randomFloats(r, n);
                float[] plain = new float[rows * n];
                MatMul.linear(p2, x, rows, w, bias, plain);
                float[] xs = new float[xOff + rows * xStride];
                for (int t = 0; t < rows; t++) System.arraycopy(x, t * k, xs, xOff + t * xStride, k);
                float[] ys = new float[yOff + rows * yStride];
                Arrays.fill(ys, Float.NaN);
                MatMul.linear(p2, xs, xOff, xStride, rows, w, nFrom, nTo, bias, ys, yOff, yStride);
                for (int t = 0; t < rows; t++) {
                    for (int i = 0; i < yStride; i++) {
                        float got = ys[yOff + t * yStride + i];
                        if (i < nTo - nFrom) {
                            assertBitsEqual(new float[] {plain[t * n + nFrom + i]}, new float[] {got}, "t=" + t + " i=" + i);
                        } else if (!Float.isNaN(got)) {
                            throw new AssertionError("wrote outside the range at t=" + t + " i=" + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void mappedUnalignedWeights(@TempDir Path dir) throws IOException {
        Random r = new Random(5);
        int n = 37, k = 203, rows = 9;
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : KernelTestSupport.ELEMENT_TYPES) {
                Matrix heap = randomMatrix(r, dt, n, k, arena);
                long bytes = heap.data().byteSize();
                Path f = dir.resolve("w-" + dt + ".bin");
                byte[] file = new byte[(int) bytes + 3];
                MemorySegment.copy(heap.data(), 0, MemorySegment.ofArray(file), 3, bytes);
                Files.write(f, file);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, file.length, arena).asSlice(3, bytes);
                    Matrix w = new Matrix(dt, mapped, n, k);
                    float[] x = randomFloats(r, rows * k);
                    for (int m : new int[] {1, rows}) {
                        float[] a = new float[m * n], b = new float[m * n];
                        MatMul.linear(p2, x, m, w, null, a);
                        MatMul.linear(p2, x, m, heap, null, b);
                        assertBitsEqual(b, a, "mapped vs heap " + dt);
                        assertClose(KernelTestSupport.linearRef(x, m, w, null), a, TOL, "mapped " + dt);
                    }
                    float[] dy = randomFloats(r, rows * n), dx = new float[rows * k];
                    MatMul.linearBackwardInput(p2, dy, rows, w, dx, false);
                    assertClose(KernelTestSupport.backwardInputRef(dy, rows, w, null, false), dx, TOL, "mapped backward " + dt);
                }
            }
        }
    }

    // rows, W rows (n, contracted), W cols (k, output columns)
    private static final int[][] BACKWARD_INPUT_SHAPES = {
            {1, 1, 1}, {1, 5, 17}, {2, 33, 64}, {5, 17, 65}, {6, 3, 127}, {7, 129, 33}, {13, 64, 130},
            {64, 65, 3}, {129, 300, 70}, {20, 40, 600},
    };

    @Test
    void backwardInputMatchesReference() {
        Random r = new Random(6);
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : KernelTestSupport.ELEMENT_TYPES) {
                for (int[] s : BACKWARD_INPUT_SHAPES) {
                    int rows = s[0], n = s[1], k = s[2];
                    Matrix w = randomMatrix(r, dt, n, k, arena);
                    float[] dy = randomFloats(r, rows * n);
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] dx0 = randomFloats(r, rows * k), dx = dx0.clone();
                        MatMul.linearBackwardInput(p2, dy, rows, w, dx, acc);
                        assertClose(KernelTestSupport.backwardInputRef(dy, rows, w, dx0, acc), dx, TOL,
                                "backwardInput " + dt + " " + Arrays.toString(s) + " acc=" + acc);
                    }
                }
            }
        }
    }

    @Test
    void backwardInputFollowsDocumentedOrderAndIsDeterministic() {
        Random r = new Random(7);
        try (Arena arena = Arena.ofShared()) {
            int rows = 15, n = 301, k = 150;
            Matrix w = randomMatrix(r, DType.BF16, n, k, arena);
            float[] wf = w.toFloats(), dy = randomFloats(r, rows * n), dx0 = randomFloats(r, rows * k);
            float[] expect = dx0.clone();
            for (int t = 0; t < rows; t++) {
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < n; j++) expect[t * k + i] = Math.fma(dy[t * n + j], wf[j * k + i], expect[t * k + i]);
                }
            }
            for (Parallel p : new Parallel[] {p1, p2, p3}) {
                for (int rep = 0; rep < 100; rep++) {
                    float[] dx = dx0.clone();
                    MatMul.linearBackwardInput(p, dy, rows, w, dx, true);
                    if (rep % 50 == 0 || rep == 99) assertBitsEqual(expect, dx, "backwardInput order, threads=" + p.threads());
                }
            }
            // Strided form: dy and dx rows inside wider buffers.
            float[] dys = new float[2 + rows * (n + 3)], dxs = new float[1 + rows * (k + 5)];
            for (int t = 0; t < rows; t++) {
                System.arraycopy(dy, t * n, dys, 2 + t * (n + 3), n);
                System.arraycopy(dx0, t * k, dxs, 1 + t * (k + 5), k);
            }
            MatMul.linearBackwardInput(p2, dys, 2, n + 3, rows, w, dxs, 1, k + 5, true);
            for (int t = 0; t < rows; t++) {
                assertBitsEqual(Arrays.copyOfRange(expect, t * k, (t + 1) * k),
                        Arrays.copyOfRange(dxs, 1 + t * (k + 5), 1 + t * (k + 5) + k), "strided row " + t);
            }
        }
    }

    // rows (contracted), outDim, inDim
    private static final int[][] BACKWARD_WEIGHT_SHAPES = {
            {1, 1, 1}, {3, 5, 17}, {1, 6, 64}, {17, 7, 65}, {130, 13, 33}, {64, 12, 300}, {5, 31, 129}, {200, 3, 2},
            {150, 41, 100}, {40, 20, 700},
    };

    @Test
    void backwardWeightMatchesReferenceAndOrder() {
        Random r = new Random(8);
        for (int[] s : BACKWARD_WEIGHT_SHAPES) {
            int rows = s[0], outDim = s[1], inDim = s[2];
            float[] dy = randomFloats(r, rows * outDim), x = randomFloats(r, rows * inDim);
            float[] dw0 = randomFloats(r, outDim * inDim);
            float[] expect = dw0.clone();
            for (int j = 0; j < outDim; j++) {
                for (int i = 0; i < inDim; i++) {
                    for (int t = 0; t < rows; t++) {
                        expect[j * inDim + i] = Math.fma(dy[t * outDim + j], x[t * inDim + i], expect[j * inDim + i]);
                    }
                }
            }
            for (Parallel p : new Parallel[] {p1, p2, p3}) {
                float[] dw = dw0.clone();
                MatMul.linearBackwardWeight(p, dy, x, rows, outDim, inDim, dw);
                assertClose(KernelTestSupport.backwardWeightRef(dy, x, rows, outDim, inDim, dw0), dw, TOL,
                        "backwardWeight " + Arrays.toString(s));
                assertBitsEqual(expect, dw, "backwardWeight order " + Arrays.toString(s) + " threads=" + p.threads());
            }
        }
    }

    @Test
    void transposedCopiesExactBitsForEveryDtype() {
        Random r = new Random(10);
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : KernelTestSupport.ELEMENT_TYPES) {
                for (int[] s : new int[][] {{1, 1}, {70, 130}, {64, 64}, {3, 200}}) {
                    Matrix w = randomMatrix(r, dt, s[0], s[1], arena), t = w.transposed(arena);
                    org.junit.jupiter.api.Assertions.assertEquals(s[1], t.rows());
                    org.junit.jupiter.api.Assertions.assertEquals(s[0], t.cols());
                    for (int i = 0; i < s[0]; i++) {
                        for (int j = 0; j < s[1]; j++) {
                            if (Float.floatToRawIntBits(w.get(i, j)) != Float.floatToRawIntBits(t.get(j, i))) {
                                throw new AssertionError(dt + " " + Arrays.toString(s) + " at " + i + "," + j);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void linearFromTransposedWeightMatchesLinearAndFollowsItsOrder() {
        Random r = new Random(11);
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : KernelTestSupport.ELEMENT_TYPES) {
                for (int[] s : LINEAR_SHAPES) {
                    int rows = s[0], k = s[1], n = s[2];
                    Matrix w = randomMatrix(r, dt, n, k, arena), wt = w.transposed(arena);
                    float[] x = randomFloats(r, rows * k), bias = randomFloats(r, n);
                    float[] expect = new float[rows * n];
                    for (int t = 0; t < rows; t++) {
                        for (int j = 0; j < n; j++) {
                            float acc = 0f;
                            for (int q = 0; q < k; q++) acc = Math.fma(x[t * k + q], w.get(j, q), acc);
                            expect[t * n + j] = acc + bias[j];
                        }
                    }
                    for (Parallel p : new Parallel[] {p1, p2}) {
                        float[] y = new float[rows * n];
                        MatMul.linearTransposed(p, x, rows, wt, bias, y);
                        assertBitsEqual(expect, y, "linearTransposed " + dt + " " + Arrays.toString(s) + " threads=" + p.threads());
                        assertClose(KernelTestSupport.linearRef(x, rows, w, bias), y, TOL, "linearTransposed vs reference " + Arrays.toString(s));
                    }
                }
            }
        }
    }

    @Test
    void addProductFollowsDocumentedOrderWithTransposedAndStridedOperands() {
        Random r = new Random(9);
        // {m, kl, n}: whole 6-row tiles and register panels, and edges of both
        for (int[] s : new int[][] {{12, 64, 128}, {7, 33, 70}, {1, 5, 3}, {64, 200, 64}}) {
            int m = s[0], kl = s[1], n = s[2];
            for (boolean transposedA : new boolean[] {false, true}) {
                int aRs = transposedA ? 1 : kl + 3, aKs = transposedA ? m + 2 : 1;
                float[] a = randomFloats(r, 5 + (m - 1) * aRs + (kl - 1) * aKs + 1);
                int bKs = n + 9, ldc = n + 4;
                float[] b = randomFloats(r, 2 + (kl - 1) * bKs + n), c0 = randomFloats(r, 1 + (m - 1) * ldc + n);
                float[] expect = c0.clone();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int q = 0; q < kl; q++) {
                            expect[1 + i * ldc + j] = Math.fma(a[5 + i * aRs + q * aKs], b[2 + q * bKs + j], expect[1 + i * ldc + j]);
                        }
                    }
                }
                float[] c = c0.clone();
                MatMul.addProduct(a, 5, aRs, aKs, m, b, 2, bKs, kl, c, 1, ldc, n);
                assertBitsEqual(expect, c, "addProduct " + Arrays.toString(s) + " transposedA=" + transposedA);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MatMul.addProduct(new float[10], 0, 1, 1, 2, new float[10], 0, 4, 2, new float[10], 0, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> MatMul.addProduct(new float[4], 0, 2, 1, 3, new float[10], 0, 2, 2, new float[10], 0, 2, 2));
    }

    @Test
    void addLinearNarrowIsTheTransposedProductBitForBit() {
        Random r = new Random(10);
        // {rows, n, k}: whole vectors of outputs and a remainder; LoRA's rank 8 and odd ranks
        for (int[] s : new int[][] {{1, 8960, 8}, {1, 70, 8}, {3, 37, 5}, {4, 256, 16}, {2, 3, 1}}) {
            int rows = s[0], n = s[1], k = s[2];
            float[] x = randomFloats(r, rows * k), w = randomFloats(r, n * k), y0 = randomFloats(r, rows * n);
            float[] expect = y0.clone(), wt = new float[k * n];
            for (int t = 0; t < rows; t++) {
                for (int o = 0; o < n; o++) {
                    for (int j = 0; j < k; j++) expect[t * n + o] = Math.fma(x[t * k + j], w[o * k + j], expect[t * n + o]);
                }
            }
            for (int o = 0; o < n; o++) for (int j = 0; j < k; j++) wt[j * n + o] = w[o * k + j];
            float[] viaTranspose = y0.clone();
            MatMul.linearBackwardInput(p2, x, rows, Matrix.ofFloats(wt, k, n), viaTranspose, true);
            assertBitsEqual(expect, viaTranspose, "transposed product " + Arrays.toString(s));
            // Repeated so that both interpreted and C2-compiled code are checked.
            for (int rep = 0; rep < 300; rep++) {
                float[] y = y0.clone();
                MatMul.addLinearNarrow(x, rows, w, n, k, y);
                if (rep % 100 == 0 || rep == 299) assertBitsEqual(expect, y, "addLinearNarrow " + Arrays.toString(s) + " rep " + rep);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MatMul.addLinearNarrow(new float[8], 1, new float[10], 2, 8, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> MatMul.addLinearNarrow(new float[8], 1, new float[16], 2, 8, new float[1]));
    }

    @Test
    void f16WideningIsExactForEveryHalf() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        MemorySegment seg = MemorySegment.ofArray(all);
        float[] out = new float[Simd.L];
        for (int i = 0; i < all.length; i += Simd.L) {
            Simd.f16(seg, i * 2L).intoArray(out, 0);
            for (int l = 0; l < Simd.L; l++) {
                float want = Float.float16ToFloat(all[i + l]);
                if (Float.isNaN(want) ? !Float.isNaN(out[l])
                        : Float.floatToRawIntBits(want) != Float.floatToRawIntBits(out[l])) {
                    throw new AssertionError("f16 0x" + Integer.toHexString(i + l) + ": " + out[l] + " vs " + want);
                }
            }
        }
    }

    @Test
    void treeReductionMatchesScalarTree() {
        Random r = new Random(9);
        float[] v = new float[Simd.L];
        for (int it = 0; it < 200; it++) {
            for (int l = 0; l < v.length; l++) v[l] = (r.nextFloat() - 0.5f) * (float) Math.pow(10, r.nextInt(8));
            float a = Simd.reduce(jdk.incubator.vector.FloatVector.fromArray(Simd.F, v, 0));
            assertBitsEqual(new float[] {Simd.reduceScalar(v, 0)}, new float[] {a}, "tree");
        }
    }

    @Test
    void rejectsBadShapes() {
        Matrix w = Matrix.ofFloats(new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> MatMul.linear(p1, new float[5], 2, w, null, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> MatMul.linear(p1, new float[6], 2, w, null, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> MatMul.linear(p1, new float[6], 2, w, new float[1], new float[4]));
        assertThrows(IndexOutOfBoundsException.class,
                () -> MatMul.linear(p1, new float[6], 0, 3, 2, w, 1, 3, null, new float[4], 0, 2));
    }
}
