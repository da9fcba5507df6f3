package ttsi.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A row-major matrix [rows][cols] in its stored element type (f32, bf16, f16, or Q8_0 blocks of 32 along each
 * row, laid out as {@link DType#Q8_0} says), usually a slice of a memory-mapped checkpoint. HF linear weights are
 * stored [out_features][in_features], so a linear layer is y = x · Wᵀ with both x rows and W rows contiguous along
 * the input dimension.
 */
public record Matrix(DType dtype, MemorySegment data, int rows, int cols) {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    public Matrix {
        if (!dtype.elementWise() && cols % DType.Q8_BLOCK != 0) {
            throw new IllegalArgumentException("a " + dtype + " matrix needs a multiple of " + DType.Q8_BLOCK + " columns, got " + rows + "x" + cols);
        }
        long need = dtype.matrixBytes(rows, cols);
        if (data.byteSize() < need) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " " + dtype + " needs " + need
                    + " bytes, segment has " + data.byteSize());
        }
    }

    /**
     * A Q8_0 matrix from GGUF's Q8_0 blocks (an f16 scale and 32 int8 per block, as llama.cpp stores them), copied
     * into memory from the arena in this engine's Q8_0 layout ({@link DType#Q8_0}): the same values.
     */
    public static Matrix fromGgufQ8_0(MemorySegment blocks, int rows, int cols, java.lang.foreign.Arena arena) {
        if (cols % DType.Q8_BLOCK != 0) throw new IllegalArgumentException("Q8_0 rows hold whole blocks of " + DType.Q8_BLOCK + " values, not " + cols);
        long need = DType.Q8_0.byteSize((long) rows * cols); // GGUF's 34 bytes per block
        if (blocks.byteSize() < need) throw new IllegalArgumentException("Q8_0 " + rows + "x" + cols + " needs " + need + " bytes of blocks, got " + blocks.byteSize());
        MemorySegment out = arena.allocate(DType.Q8_0.matrixBytes(rows, cols), 64);
        Q8Blocks.fromGguf(blocks, rows, cols, out);
        return new Matrix(DType.Q8_0, out, rows, cols);
    }

    /** A heap f32 matrix over the given array (shared, not copied). */
    public static Matrix ofFloats(float[] values, int rows, int cols) {
        if (values.length != rows * cols) throw new IllegalArgumentException("length " + values.length + " != " + rows + "x" + cols);
        return new Matrix(DType.F32, MemorySegment.ofArray(values), rows, cols);
    }

    public long size() {
        return (long) rows * cols;
    }

    public float get(int r, int c) {
        return get((long) r * cols + c);
    }

    public float get(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case BF16 -> bf16ToFloat(data.getAtIndex(I16, i));
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
            case Q8_0 -> {
                long r = i / cols, c = i % cols, rowOff = r * dtype.rowBytes(cols);
                float d = Simd.q8Scale(data, rowOff, (int) (c / DType.Q8_BLOCK));
                yield d * data.get(ValueLayout.JAVA_BYTE, Q8Blocks.valueAt(rowOff, cols, c));
            }
        };
    }

    /** Copies row r widened to f32 into out[off .. off+cols). */
    public void row(int r, float[] out, int off) {
        long base = (long) r * cols;
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, base * 4, out, off, cols);
            case Q8_0 -> Simd.widenQ8_0(data, r * dtype.rowBytes(cols), cols, 0, cols, out, off);
            default -> {
                for (int c = 0; c < cols; c++) out[off + c] = get(base + c);
            }
        }
    }

    /** All values widened to f32 (a copy; for small tensors such as norms and biases). */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(size())];
        for (int r = 0; r < rows; r++) row(r, out, r * cols);
        return out;
    }

    /**
     * This matrix in another dtype, in memory from the arena (this matrix itself if it already has that dtype).
     * To Q8_0: each block of 32 quantized as llama.cpp's quantize_row_q8_0_ref does ({@link Q8Blocks}); to bf16 or
     * f16: each value rounded to nearest even; to f32: exact.
     */
    public Matrix converted(DType to, java.lang.foreign.Arena arena) {
        if (to == dtype) return this;
        MemorySegment out = arena.allocate(to.matrixBytes(rows, cols), 64);
        Matrix m = new Matrix(to, out, rows, cols);
        int chunks = (int) Math.max(1, Math.min(rows, Math.min(256, size() / 65536)));
        Parallel.global().forEach(chunks, ch -> {
            float[] row = new float[cols];
            int from = (int) ((long) rows * ch / chunks), end = (int) ((long) rows * (ch + 1) / chunks);
            for (int r = from; r < end; r++) {
                row(r, row, 0);
                m.setRow(r, row, 0);
            }
        });
        return m;
    }

    /** Stores in[off .. off+cols) as row r, rounded to this matrix's dtype (Q8_0: quantized block by block). */
    public void setRow(int r, float[] in, int off) {
        long base = (long) r * cols;
        switch (dtype) {
            case F32 -> MemorySegment.copy(in, off, data, F32, base * 4, cols);
            case BF16 -> {
                for (int c = 0; c < cols; c++) data.setAtIndex(I16, base + c, floatToBf16(in[off + c]));
            }
            case F16 -> {
                for (int c = 0; c < cols; c++) data.setAtIndex(I16, base + c, Float.floatToFloat16(in[off + c]));
            }
            case Q8_0 -> {
                long at = r * dtype.rowBytes(cols);
                for (int b = 0; b < cols / DType.Q8_BLOCK; b++) Q8Blocks.quantize(in, off + b * DType.Q8_BLOCK, data, at, cols, b);
            }
        }
    }

    /**
     * This matrix transposed, [cols][rows], same dtype and exact element bits, in memory from the arena. Copied
     * in 64 x 64 tiles spread over the kernel pool. Element-wise dtypes only (Q8_0 blocks run along rows).
     */
    public Matrix transposed(java.lang.foreign.Arena arena) {
        if (!dtype.elementWise()) throw new UnsupportedOperationException("a " + dtype + " matrix cannot be transposed element by element");
        MemorySegment out = arena.allocate(dtype.matrixBytes(rows, cols), 64);
        int tile = 64, tileRows = (rows + tile - 1) / tile;
        Parallel.global().forEach(tileRows, tr -> {
            int r0 = tr * tile, r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        long from = (long) r * cols + c, to = (long) c * rows + r;
                        if (dtype == DType.F32) out.setAtIndex(I32, to, data.getAtIndex(I32, from));
                        else out.setAtIndex(I16, to, data.getAtIndex(I16, from));
                    }
                }
            }
        });
        return new Matrix(dtype, out, cols, rows);
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round-to-nearest-even f32 → bf16, as PyTorch does. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
