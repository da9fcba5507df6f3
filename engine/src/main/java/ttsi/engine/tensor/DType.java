package ttsi.engine.tensor;

/** Element types a checkpoint may store. Weights stay in their stored type in memory; compute is f32. */
public enum DType {
    F32(4), BF16(2), F16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Parses a user's dtype option (bf16, f16, f32; any case). */
    public static DType parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "bf16" -> BF16;
            case "f16" -> F16;
            case "f32" -> F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got " + name);
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
