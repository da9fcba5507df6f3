package ttsi.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0 quantization of one block, as llama.cpp's {@code quantize_row_q8_0_ref} (and gguf-py's
 * {@code quantize_blocks} for Q8_0) does it, so that a model quantized here holds the same values as the GGUF file
 * llama-quantize makes from the same f32 weights: d = max|x| / 127 in f32, q = x · (1/d) rounded half away from
 * zero, d stored as f16 (round to nearest even). Dequantized values d·q are exact in f32 (an 11-bit mantissa
 * times an 8-bit integer), so the kernels can multiply the f32 value without a second rounding.
 *
 * <p>The in-memory row layout ({@link DType#Q8_0}): a row of n values at byte offset r holds block b's f16 scale
 * at r + 2b, then, after padding the n/16 bytes of scales to a multiple of 16, its n int8 values (GGUF's 34 bytes
 * per block, not interleaved, plus at most 14 bytes a row). Rows start 64-byte aligned in memory from an arena, and
 * every row is a multiple of 16 bytes long, so every row's values are 16-byte aligned: one ByteVector load each.
 */
final class Q8Blocks {
    private Q8Blocks() {}

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** A thread that is never started: a segment accessible by it is accessible by the kernel pool's threads. */
    private static final Thread OTHER_THREAD = new Thread(() -> {});

    /** Bytes a row of n values gives its scales: two per block, padded to a multiple of 16. */
    static long scaleBytes(int n) {
        return (n / 16 + 15) & ~15L;
    }

    /** Byte offset of block b's scale in the row at rowOff (the scales come first, whatever the row's length). */
    static long scaleAt(long rowOff, int b) {
        return rowOff + 2L * b;
    }

    /** Byte offset of value c in the row of n values at rowOff. */
    static long valueAt(long rowOff, int n, long c) {
        return rowOff + scaleBytes(n) + c;
    }

    /** Quantizes x[off .. off+32) as block b of the row of n values at rowOff. */
    static void quantize(float[] x, int off, MemorySegment out, long rowOff, int n, int b) {
        float amax = 0f;
        for (int j = 0; j < DType.Q8_BLOCK; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        out.set(I16, scaleAt(rowOff, b), Float.floatToFloat16(d));
        long q = valueAt(rowOff, n, (long) b * DType.Q8_BLOCK);
        for (int j = 0; j < DType.Q8_BLOCK; j++) out.set(ValueLayout.JAVA_BYTE, q + j, (byte) roundHalfAway(x[off + j] * id));
    }

    /**
     * GGUF's Q8_0 blocks (rows·cols/32 blocks of an f16 scale and 32 int8, row after row) in the in-memory layout,
     * written to out ({@link DType#matrixBytes} bytes): the same scales and values, bit for bit.
     */
    static void fromGguf(MemorySegment blocks, int rows, int cols, MemorySegment out) {
        int nb = cols / DType.Q8_BLOCK;
        long rowBytes = DType.Q8_0.rowBytes(cols);
        // Spread over the kernel pool (at load, the page faults of reading the mapping and writing the copy dominate),
        // unless a segment is confined to this thread.
        boolean anyThread = blocks.isAccessibleBy(OTHER_THREAD) && out.isAccessibleBy(OTHER_THREAD);
        int chunks = anyThread ? Math.max(1, Math.min(rows, 64)) : 1;
        Parallel.global().forEach(chunks, ch -> {
            for (long r = (long) rows * ch / chunks, end = (long) rows * (ch + 1) / chunks; r < end; r++) {
                long src = r * nb * DType.Q8_BLOCK_BYTES, dst = r * rowBytes;
                for (int b = 0; b < nb; b++, src += DType.Q8_BLOCK_BYTES) {
                    out.set(I16, scaleAt(dst, b), blocks.get(I16, src));
                    MemorySegment.copy(blocks, src + 2, out, valueAt(dst, cols, (long) b * DType.Q8_BLOCK), DType.Q8_BLOCK);
                }
            }
        });
    }

    /** C's roundf: to the nearest integer, halves away from zero (exact: a float plus 0.5 fits a double). */
    static int roundHalfAway(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -r : r);
    }
}
