package ttsi.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.engine.tensor.KernelTestSupport.assertBitsEqual;
import static ttsi.engine.tensor.KernelTestSupport.assertClose;
import static ttsi.engine.tensor.KernelTestSupport.randomFloats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Q8_0 weights: the quantizer against llama.cpp's rules written out here, GGUF's blocks read into the engine's row
 * layout, and every kernel against the same kernel on an f32 matrix holding the dequantized values (d·q is exact
 * in f32, so the results must be the same bits) and against the double-precision reference. The one exception is
 * a single token row (decode), whose kernel sums each block before scaling it, as llama.cpp does: it is checked
 * against the reference within f32 rounding. The quantizer against llama-quantize's own file is checked in
 * {@code GgufGoldenTest}.
 */
class Q8KernelTest {

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

    /** A random Q8_0 matrix (quantized from random f32 values), in a segment at an odd byte offset. */
    static Matrix randomQ8(Random r, int rows, int cols, Arena arena) {
        Matrix f = Matrix.ofFloats(randomFloats(r, rows * cols), rows, cols);
        Matrix q = f.converted(DType.Q8_0, arena);
        MemorySegment odd = arena.allocate(q.data().byteSize() + 8, 8).asSlice(3, q.data().byteSize());
        MemorySegment.copy(q.data(), 0, odd, 0, q.data().byteSize());
        return new Matrix(DType.Q8_0, odd, rows, cols);
    }

    // rows, in (k, a multiple of 32), out (n): GEMV (rows ≤ 16) and packed GEMM, n off the 4-row groups, k in one
    // block (up to 1,536 columns) and over several 1024-column blocks.
    private static final int[][] LINEAR_SHAPES = {
            {1, 32, 1}, {1, 64, 5}, {1, 96, 33}, {1, 1056, 9}, {1, 2080, 7}, {2, 32, 17}, {3, 160, 65}, {4, 64, 4},
            {5, 1088, 3}, {8, 2080, 70}, {13, 512, 31}, {16, 32, 4}, {17, 96, 37}, {64, 160, 127}, {129, 1088, 130},
            {1, 1536, 6}, {20, 1536, 9}, {19, 1568, 5},
    };

    @Test
    void quantizesLikeLlamaCpp() {
        float[] x = new float[64];
        x[0] = 1.27f;
        x[1] = -0.5f;
        x[2] = 0.005f; // 0.5 of a step (d = 0.01): rounds away from zero
        x[3] = -0.005f;
        x[4] = 0.0049f;
        Matrix q = Matrix.ofFloats(x, 2, 32).converted(DType.Q8_0, Arena.ofAuto());
        MemorySegment b = q.data();
        // Each row: its one f16 scale padded to 16 bytes, then its 32 values.
        assertEquals(2 * (16 + 32), b.byteSize());
        float d = 1.27f / 127f;
        assertEquals(Float.floatToFloat16(d), b.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
        byte[] qs = new byte[32];
        MemorySegment.copy(b, ValueLayout.JAVA_BYTE, 16, qs, 0, 32);
        assertEquals(127, qs[0]);
        assertEquals(-50, qs[1]);
        assertEquals(Q8Blocks.roundHalfAway(0.005f * (1f / d)), qs[2]);
        assertEquals(-qs[2], qs[3]);
        assertEquals(0, qs[5]);
        // An all-zero block: scale 0, values 0 (no NaN from 0/0).
        assertEquals(0, b.get(ValueLayout.JAVA_SHORT_UNALIGNED, 48));
        for (int j = 0; j < 32; j++) assertEquals(0f, q.get(1, j));
        // The values read back are d (as f16) times q.
        float df = Float.float16ToFloat(Float.floatToFloat16(d));
        assertEquals(df * 127, q.get(0, 0));
        assertEquals(df * -50, q.get(0, 1));
    }

    @Test
    void roundsHalvesAwayFromZeroLikeC() {
        assertEquals(1, Q8Blocks.roundHalfAway(0.5f));
        assertEquals(-1, Q8Blocks.roundHalfAway(-0.5f));
        assertEquals(2, Q8Blocks.roundHalfAway(1.5f));
        assertEquals(3, Q8Blocks.roundHalfAway(2.5f));
        assertEquals(0, Q8Blocks.roundHalfAway(0.49999997f)); // floor(x + 0.5f) in float would give 1
        assertEquals(127, Q8Blocks.roundHalfAway(127f));
    }

    @Test
    void quantizationErrorIsAtMostHalfAStep() {
        Random r = new Random(3);
        float[] x = randomFloats(r, 8 * 96);
        Matrix q = Matrix.ofFloats(x, 8, 96).converted(DType.Q8_0, Arena.ofAuto());
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                double err = Math.abs(q.get(i) - x[i]);
                // half a step, plus up to 127 times the f16 scale's rounding (relative 2^-11)
                assertEquals(0, err, amax / 127 * 0.5 + amax * Math.pow(2, -11) + 1e-7, "element " + i);
            }
        }
    }

    @Test
    void rowsAndPartialBlocksWidenToTheSameValues() {
        Random r = new Random(4);
        try (Arena arena = Arena.ofShared()) {
            Matrix q = randomQ8(r, 3, 160, arena);
            float[] row = new float[160];
            for (int i = 0; i < 3; i++) {
                q.row(i, row, 0);
                for (int c = 0; c < 160; c++) assertEquals(Float.floatToRawIntBits(q.get(i, c)), Float.floatToRawIntBits(row[c]));
                // Column ranges that start and end inside blocks (the backward kernel's panels at 128-bit vectors).
                for (int[] range : new int[][] {{16, 40}, {0, 160}, {31, 2}, {48, 112}, {150, 10}}) {
                    float[] part = new float[range[1] + 1];
                    Simd.widenRow(q, i, range[0], range[1], part, 1);
                    for (int c = 0; c < range[1]; c++) assertEquals(q.get(i, range[0] + c), part[1 + c], Arrays.toString(range));
                }
            }
        }
    }

    @Test
    void linearIsTheF32KernelOnTheDequantizedValuesBitForBit() {
        Random r = new Random(1);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : LINEAR_SHAPES) {
                int rows = s[0], k = s[1], n = s[2];
                Matrix q = randomQ8(r, n, k, arena), f = q.converted(DType.F32, arena);
                float[] x = randomFloats(r, rows * k), bias = randomFloats(r, n);
                float[] expect = new float[rows * n];
                MatMul.linear(p1, x, rows, f, bias, expect);
                assertClose(KernelTestSupport.linearRef(x, rows, f, bias), expect, 1e-5, "f32 reference " + Arrays.toString(s));
                for (Parallel p : new Parallel[] {p1, p2, p3}) {
                    float[] y = new float[rows * n];
                    MatMul.linear(p, x, rows, q, bias, y);
                    if (rows > 1) assertBitsEqual(expect, y, "Q8_0 linear " + Arrays.toString(s) + " threads=" + p.threads());
                    else assertClose(KernelTestSupport.linearRef(x, rows, f, bias), y, 1e-5, "Q8_0 decode " + Arrays.toString(s) + " threads=" + p.threads());
                }
                // One token row alone (decode) against the reference, and the same for any thread count.
                float[] last = Arrays.copyOfRange(x, (rows - 1) * k, rows * k), one = new float[n], again = new float[n];
                MatMul.linear(p2, last, 1, q, bias, one);
                MatMul.linear(p3, last, 1, q, bias, again);
                assertClose(KernelTestSupport.linearRef(last, 1, f, bias), one, 1e-5, "last row alone " + Arrays.toString(s));
                assertBitsEqual(one, again, "last row alone, 2 vs 3 threads " + Arrays.toString(s));
            }
        }
    }

    @Test
    void stridedRangedLinearMatchesPlain() {
        Random r = new Random(2);
        try (Arena arena = Arena.ofShared()) {
            int rows = 5, k = 96, n = 70, xStride = 100, yStride = 40, from = 13, to = 50;
            Matrix q = randomQ8(r, n, k, arena);
            float[] x = randomFloats(r, rows * xStride), plainX = new float[rows * k];
            for (int t = 0; t < rows; t++) System.arraycopy(x, t * xStride + 2, plainX, t * k, k);
            float[] plain = new float[rows * n];
            MatMul.linear(p2, plainX, rows, q, null, plain);
            float[] y = new float[rows * yStride + 1];
            MatMul.linear(p2, x, 2, xStride, rows, q, from, to, null, y, 1, yStride);
            for (int t = 0; t < rows; t++) {
                for (int j = from; j < to; j++) assertEquals(Float.floatToRawIntBits(plain[t * n + j]), Float.floatToRawIntBits(y[1 + t * yStride + j - from]));
            }
        }
    }

    @Test
    void backwardInputIsTheF32KernelOnTheDequantizedValuesBitForBit() {
        Random r = new Random(6);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : new int[][] {{1, 5, 32}, {2, 33, 64}, {7, 129, 96}, {13, 64, 160}, {129, 300, 608}, {20, 40, 1088}}) {
                int rows = s[0], n = s[1], k = s[2];
                Matrix q = randomQ8(r, n, k, arena), f = q.converted(DType.F32, arena);
                float[] dy = randomFloats(r, rows * n);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] dx0 = randomFloats(r, rows * k), expect = dx0.clone(), dx = dx0.clone();
                    MatMul.linearBackwardInput(p2, dy, rows, f, expect, acc);
                    MatMul.linearBackwardInput(p3, dy, rows, q, dx, acc);
                    assertBitsEqual(expect, dx, "Q8_0 backwardInput " + Arrays.toString(s) + " acc=" + acc);
                    assertClose(KernelTestSupport.backwardInputRef(dy, rows, q, dx0, acc), dx, 1e-5, "reference " + Arrays.toString(s));
                }
            }
        }
    }

    /** GGUF's blocks (f16 scale, 32 int8, block after block) read into the engine's layout keep every value. */
    @Test
    void ggufBlocksReadIntoTheRowLayoutKeepTheirValues() {
        Random r = new Random(8);
        int rows = 3, cols = 96, blocks = rows * cols / 32;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment gguf = arena.allocate(blocks * 34L + 5, 2).asSlice(5 & ~1);
            float[] expect = new float[rows * cols];
            for (int b = 0; b < blocks; b++) {
                short d = Float.floatToFloat16(0.001f + r.nextFloat() * 0.01f);
                gguf.set(ValueLayout.JAVA_SHORT_UNALIGNED, b * 34L, d);
                for (int j = 0; j < 32; j++) {
                    byte q = (byte) (r.nextInt(255) - 127);
                    gguf.set(ValueLayout.JAVA_BYTE, b * 34L + 2 + j, q);
                    expect[b * 32 + j] = Float.float16ToFloat(d) * q;
                }
            }
            Matrix m = Matrix.fromGgufQ8_0(gguf, rows, cols, arena);
            assertEquals(rows * (16 + cols), m.data().byteSize()); // three scales (6 bytes) padded to 16, then the values
            for (int i = 0; i < rows * cols; i++) assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(m.get(i)), "element " + i);
            float[] widened = new float[cols];
            m.row(2, widened, 0);
            for (int c = 0; c < cols; c++) assertEquals(expect[2 * cols + c], widened[c], "row 2, column " + c);
            var e = assertThrows(IllegalArgumentException.class, () -> Matrix.fromGgufQ8_0(gguf.asSlice(0, 100), rows, cols, arena));
            assertTrue(e.getMessage().contains("needs 306 bytes"), e.getMessage());
        }
    }

    @Test
    void convertingBackGivesTheDequantizedValues() {
        Random r = new Random(7);
        try (Arena arena = Arena.ofShared()) {
            Matrix q = randomQ8(r, 4, 64, arena);
            Matrix f = q.converted(DType.F32, arena), again = f.converted(DType.Q8_0, arena);
            for (int i = 0; i < 4 * 64; i++) assertEquals(q.get(i), f.get(i));
            // Re-quantizing dequantized values changes no byte: the block maximum maps to ±127 with the same scale.
            assertEquals(-1, MemorySegment.mismatch(q.data(), 0, q.data().byteSize(), again.data(), 0, again.data().byteSize()));
        }
    }

    @Test
    void refusesRowsThatAreNotWholeBlocksAndTransposition() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Matrix(DType.Q8_0, Arena.ofAuto().allocate(34 * 3), 2, 48));
        assertEquals(true, e.getMessage().contains("multiple of 32 columns"), e.getMessage());
        Matrix q = Matrix.ofFloats(new float[64], 2, 32).converted(DType.Q8_0, Arena.ofAuto());
        assertThrows(UnsupportedOperationException.class, () -> q.transposed(Arena.ofAuto()));
        assertEquals(68, DType.Q8_0.byteSize(64));
        assertThrows(IllegalArgumentException.class, () -> DType.Q8_0.byteSize(33));
        assertThrows(IllegalArgumentException.class, () -> DType.Q8_0.rowBytes(33));
    }

    @Test
    void inMemoryRowsPadTheirScalesSoThatEveryRowsValuesAre16ByteAligned() {
        // Scales: 2 bytes per block of 32, padded to a multiple of 16; then the values, one byte each.
        assertEquals(16 + 32, DType.Q8_0.rowBytes(32));
        assertEquals(64 + 896, DType.Q8_0.rowBytes(896)); // 28 blocks: 56 bytes of scales, padded to 64
        assertEquals(304 + 4864, DType.Q8_0.rowBytes(4864)); // 152 blocks: 304 bytes, already a multiple of 16
        assertEquals(3 * 960, DType.Q8_0.matrixBytes(3, 896));
        assertEquals(2 * 896, DType.BF16.rowBytes(896));
        float[] values = new float[5 * 96];
        // Each block's largest magnitude 127: scale 1, so every value is stored exactly.
        for (int i = 0; i < values.length; i++) values[i] = i % 32 == 0 ? 127 : (i * 37) % 255 - 127;
        Matrix q = Matrix.ofFloats(values, 5, 96).converted(DType.Q8_0, Arena.ofAuto());
        for (int r = 0; r < 5; r++) {
            long rowOff = r * DType.Q8_0.rowBytes(96);
            assertEquals(0, (q.data().address() + Q8Blocks.valueAt(rowOff, 96, 0)) % 16, "row " + r);
            for (int c = 0; c < 96; c++) assertEquals(values[r * 96 + c], q.get(r, c), "row " + r + ", column " + c);
        }
    }
}
