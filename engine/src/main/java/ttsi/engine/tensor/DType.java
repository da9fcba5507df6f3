package ttsi.engine.tensor;

/**
 * Element types a weight matrix may be stored in. Weights stay in their stored type in memory; compute is f32.
 * {@link #Q8_0} holds GGUF's Q8_0 values: per block of 32 consecutive elements of a row, a scale d (an f16 value)
 * and 32 int8 values q, element = d·q, 34 bytes per block. GGUF files interleave each block's scale with its
 * values; in memory a Q8_0 row holds all its scales first, padded to a multiple of 16 bytes, then all its values
 * ({@link Q8Blocks}), so that the one-token kernel reads the values as one stream, 16-byte aligned in every row
 * (aligned rows stream 6-8% more weights per second than unaligned ones, docs/PERFORMANCE.md). So an in-memory
 * matrix takes {@link #matrixBytes} (at most 14 bytes a row more than GGUF's 34 per 32).
 */
public enum DType {
    F32(4), BF16(2), F16(2), Q8_0(0);

    /** Q8_0's block: elements per block, and bytes per block as GGUF stores it (an f16 scale, then 32 int8). */
    public static final int Q8_BLOCK = 32, Q8_BLOCK_BYTES = 34;

    private final int elementBytes;

    DType(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes of n elements as files store them (for Q8_0, n must be a whole number of blocks: 34 bytes each). */
    public long byteSize(long n) {
        if (this != Q8_0) return n * elementBytes;
        return wholeBlocks(n) * Q8_BLOCK_BYTES;
    }

    /** Bytes of one in-memory row of cols values (Q8_0: the padded scales, then the values; see {@link Q8Blocks}). */
    public long rowBytes(int cols) {
        if (this != Q8_0) return (long) cols * elementBytes;
        wholeBlocks(cols);
        return Q8Blocks.scaleBytes(cols) + cols;
    }

    /** Q8_0 blocks in n elements, which must be a whole number of them. */
    private static long wholeBlocks(long n) {
        if (n % Q8_BLOCK != 0) throw new IllegalArgumentException("Q8_0 holds whole blocks of " + Q8_BLOCK + " elements, not " + n);
        return n / Q8_BLOCK;
    }

    /** Bytes of an in-memory rows x cols matrix. */
    public long matrixBytes(long rows, int cols) {
        return rows * rowBytes(cols);
    }

    /** Whether values are stored element by element (f32, bf16, f16), not in blocks. */
    public boolean elementWise() {
        return this != Q8_0;
    }

    /** Parses a user's dtype option (bf16, f16, f32, q8_0; any case). */
    public static DType parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "bf16" -> BF16;
            case "f16" -> F16;
            case "f32" -> F32;
            case "q8_0" -> Q8_0;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16, f32 or q8_0, got " + name);
        };
    }

    /** Parses a safetensors dtype name; null if unsupported. */
    public static DType fromSafetensors(String name) {
        return switch (name) {
            case "F32" -> F32;
            case "BF16" -> BF16;
            case "F16" -> F16;
            default -> null;
        };
    }
}
