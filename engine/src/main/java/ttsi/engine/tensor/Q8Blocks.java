package ttsi.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0 quantization of one block, as llama.cpp's {@code quantize_row_q8_0_ref} (and gguf-py's
 * {@code quantize_blocks} for Q8_0) does it, so that a model quantized here holds the same bytes as the GGUF file
 * llama-quantize makes from the same f32 weights: d = max|x| / 127 in f32, q = x · (1/d) rounded half away from
 * zero, d stored as f16 (round to nearest even). Dequantized values d·q are exact in f32 (an 11-bit mantissa
 * times an 8-bit integer), so the kernels can multiply the f32 value without a second rounding.
 */
final class Q8Blocks {
    private Q8Blocks() {}

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** Quantizes x[off .. off+32) into the 34 bytes at out[at ..]. */
    static void quantize(float[] x, int off, MemorySegment out, long at) {
        float amax = 0f;
        for (int j = 0; j < DType.Q8_BLOCK; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        out.set(I16, at, Float.floatToFloat16(d));
        for (int j = 0; j < DType.Q8_BLOCK; j++) out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundHalfAway(x[off + j] * id));
    }

    /** C's roundf: to the nearest integer, halves away from zero (exact: a float plus 0.5 fits a double). */
    static int roundHalfAway(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -r : r);
    }
}
