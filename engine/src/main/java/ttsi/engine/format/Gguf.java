package ttsi.engine.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.engine.tensor.DType;
import ttsi.engine.tensor.Matrix;

/**
 * One GGUF file (llama.cpp's format, versions 2 and 3), memory-mapped: the magic "GGUF", a version, the tensor and
 * metadata counts, the metadata key/value pairs, the tensor infos (name, dims with the fastest-varying first, type,
 * offset), then the tensor data from an aligned start ({@code general.alignment}, default 32). Little-endian only.
 *
 * <p>F32, F16, BF16 and Q8_0 tensors (blocks of one f16 scale and 32 int8) are views of the mapping, which the
 * engine's kernels read as they are. Any other type is refused with a message naming the type and the tensor.
 */
public final class Gguf {

    /** GGML tensor types this reader knows the block layout of (by GGUF type id). */
    public enum TensorType {
        F32(0, 1, 4), F16(1, 1, 2), Q8_0(8, 32, 34), BF16(30, 1, 2);

        public final int id, blockSize, blockBytes;

        TensorType(int id, int blockSize, int blockBytes) {
            this.id = id;
            this.blockSize = blockSize;
            this.blockBytes = blockBytes;
        }
    }

    /** GGML type ids' names (gguf-py's GGMLQuantizationType), for messages about types we refuse. */
    private static final Map<Integer, String> TYPE_NAMES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"), Map.entry(6, "Q5_0"),
            Map.entry(7, "Q5_1"), Map.entry(8, "Q8_0"), Map.entry(9, "Q8_1"), Map.entry(10, "Q2_K"), Map.entry(11, "Q3_K"),
            Map.entry(12, "Q4_K"), Map.entry(13, "Q5_K"), Map.entry(14, "Q6_K"), Map.entry(15, "Q8_K"), Map.entry(16, "IQ2_XXS"),
            Map.entry(17, "IQ2_XS"), Map.entry(18, "IQ3_XXS"), Map.entry(19, "IQ1_S"), Map.entry(20, "IQ4_NL"), Map.entry(21, "IQ3_S"),
            Map.entry(22, "IQ2_S"), Map.entry(23, "IQ4_XS"), Map.entry(24, "I8"), Map.entry(25, "I16"), Map.entry(26, "I32"),
            Map.entry(27, "I64"), Map.entry(28, "F64"), Map.entry(29, "IQ1_M"), Map.entry(30, "BF16"), Map.entry(34, "TQ1_0"),
            Map.entry(35, "TQ2_0"));

    /** One tensor: its name, dims as GGUF stores them (ne[0] = the contiguous one), type and bytes. */
    public record Tensor(String name, long[] dims, int typeId, TensorType type, MemorySegment data) {
        public long elements() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }

        /** The shape in row-major (PyTorch) order: dims reversed. */
        public long[] shape() {
            long[] s = new long[dims.length];
            for (int i = 0; i < dims.length; i++) s[i] = dims[dims.length - 1 - i];
            return s;
        }

        public String typeName() {
            return TYPE_NAMES.getOrDefault(typeId, "unknown type " + typeId);
        }
    }

    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32L = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64L = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, Tensor> tensors;
    /** Where Q8_0 matrices are copied into the engine's layout; the mapping's arena. */
    private final Arena arena;

    private Gguf(Path file, int version, Map<String, Object> metadata, Map<String, Tensor> tensors, Arena arena) {
        this.file = file;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Maps the file for the lifetime of the arena. */
    public static Gguf open(Path file, Arena arena) {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "file not found");
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 24) throw new FormatException(file, "not a GGUF file: " + size + " bytes, shorter than the 24-byte header");
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, all, arena);
    }

    /** Whether the file starts with the GGUF magic (false for missing or short files). */
    public static boolean isGguf(Path file) {
        if (!Files.isRegularFile(file)) return false;
        try (var in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'G' && b[1] == 'G' && b[2] == 'U' && b[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** A cursor over the header that turns every read past the end into a "truncated" error naming what was read. */
    private static final class Reader {
        final Path file;
        final MemorySegment s;
        long pos;

        Reader(Path file, MemorySegment s) {
            this.file = file;
            this.s = s;
        }

        void need(long n, String what) {
            if (n < 0 || pos + n > s.byteSize()) {
                throw new FormatException(file, "truncated GGUF header: " + what + " needs " + n + " bytes at offset " + pos
                        + " but the file has " + s.byteSize());
            }
        }

        int i32(String what) {
            need(4, what);
            int v = s.get(I32, pos);
            pos += 4;
            return v;
        }

        long i64(String what) {
            need(8, what);
            long v = s.get(I64, pos);
            pos += 8;
            return v;
        }

        String str(String what) {
            long n = i64(what + " (string length)");
            if (n < 0 || n > Integer.MAX_VALUE - 8) throw new FormatException(file, "corrupt GGUF header: " + what + " has string length " + n);
            need(n, what);
            String v = new String(s.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            pos += n;
            return v;
        }

        Object value(int type, String key) {
            switch (type) {
                case 0, 1 -> { need(1, key); byte b = s.get(ValueLayout.JAVA_BYTE, pos); pos += 1; return type == 0 ? (long) (b & 0xFF) : (long) b; }
                case 2, 3 -> { need(2, key); short v = s.get(I16, pos); pos += 2; return type == 2 ? (long) (v & 0xFFFF) : (long) v; }
                case 4 -> { return i32(key) & 0xFFFFFFFFL; }
                case 5 -> { return (long) i32(key); }
                case 6 -> { need(4, key); float f = s.get(F32L, pos); pos += 4; return (double) f; }
                case 7 -> { need(1, key); byte b = s.get(ValueLayout.JAVA_BYTE, pos); pos += 1; return b != 0; }
                case 8 -> { return str(key); }
                case 9 -> {
                    int elemType = i32(key + " (array type)");
                    long n = i64(key + " (array length)");
                    if (n < 0 || n > s.byteSize()) throw new FormatException(file, "corrupt GGUF header: metadata '" + key + "' has array length " + n);
                    if (elemType == 9) throw new FormatException(file, "metadata '" + key + "': nested arrays are not supported");
                    List<Object> list = new ArrayList<>((int) n);
                    for (long i = 0; i < n; i++) list.add(value(elemType, key));
                    return Collections.unmodifiableList(list);
                }
                case 10, 11 -> { return i64(key); }
                case 12 -> { need(8, key); double d = s.get(F64L, pos); pos += 8; return d; }
                default -> throw new FormatException(file, "corrupt GGUF header: metadata '" + key + "' has unknown value type " + type);
            }
        }
    }

    static Gguf parse(Path file, MemorySegment all, Arena arena) {
        Reader r = new Reader(file, all);
        int magic = r.i32("magic");
        if (magic != MAGIC) {
            throw new FormatException(file, "not a GGUF file: bad magic 0x" + Integer.toHexString(magic) + " (expected \"GGUF\")");
        }
        int version = r.i32("version");
        if (version != 2 && version != 3) {
            throw new FormatException(file, "unsupported GGUF version " + version + " (expected 2 or 3)");
        }
        long nTensors = r.i64("tensor count"), nKv = r.i64("metadata count");
        if (nTensors < 0 || nTensors > all.byteSize() || nKv < 0 || nKv > all.byteSize()) {
            throw new FormatException(file, "corrupt GGUF header: " + nTensors + " tensors, " + nKv + " metadata entries");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = r.str("metadata key #" + i);
            int type = r.i32("type of metadata '" + key + "'");
            metadata.put(key, r.value(type, key));
        }
        long alignment = 32;
        Object a = metadata.get("general.alignment");
        if (a != null) {
            if (!(a instanceof Long al) || al <= 0 || (al & (al - 1)) != 0) {
                throw new FormatException(file, "metadata 'general.alignment' must be a power of two (got " + a + ")");
            }
            alignment = al;
        }
        record Info(String name, long[] dims, int type, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < nTensors; i++) {
            String name = r.str("name of tensor #" + i);
            int nDims = r.i32("dims of tensor '" + name + "'");
            if (nDims < 1 || nDims > 4) throw new FormatException(file, "tensor '" + name + "' has " + nDims + " dimensions (expected 1 to 4)");
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = r.i64("dims of tensor '" + name + "'");
                if (dims[d] < 0) throw new FormatException(file, "tensor '" + name + "' has a negative dimension");
            }
            int type = r.i32("type of tensor '" + name + "'");
            long offset = r.i64("offset of tensor '" + name + "'");
            infos.add(new Info(name, dims, type, offset));
        }
        long dataStart = (r.pos + alignment - 1) / alignment * alignment;
        if (dataStart > all.byteSize() && !infos.isEmpty()) { // a vocab-only file may end before the padding
            throw new FormatException(file, "truncated GGUF file: tensor data would start at " + dataStart + " but the file has " + all.byteSize() + " bytes");
        }
        long dataLen = Math.max(0, all.byteSize() - dataStart);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Info in : infos) {
            TensorType tt = null;
            for (TensorType t : TensorType.values()) if (t.id == in.type) tt = t;
            long elements = 1;
            for (long d : in.dims) elements = Math.multiplyExact(elements, d);
            MemorySegment data = null;
            if (tt != null) {
                if (elements % tt.blockSize != 0 || in.dims[0] % tt.blockSize != 0) {
                    throw new FormatException(file, "tensor '" + in.name + "' of type " + tt + " has " + in.dims[0]
                            + " columns, not a multiple of its block size " + tt.blockSize);
                }
                long bytes = elements / tt.blockSize * tt.blockBytes;
                if (in.offset < 0 || in.offset + bytes > dataLen) {
                    throw new FormatException(file, "tensor '" + in.name + "' at data offset " + in.offset + " with " + bytes
                            + " bytes runs past the end of the data (" + dataLen + " bytes): file truncated?");
                }
                data = all.asSlice(dataStart + in.offset, bytes);
            }
            if (tensors.put(in.name, new Tensor(in.name, in.dims, in.type, tt, data)) != null) {
                throw new FormatException(file, "tensor '" + in.name + "' is listed twice");
            }
        }
        return new Gguf(file, version, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors), arena);
    }

    public Path file() {
        return file;
    }

    public int version() {
        return version;
    }

    /** Metadata values: Long for integers, Double for floats, Boolean, String, or an unmodifiable List of these. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    // ---------------------------------------------------------------- typed metadata access

    public boolean hasKey(String key) {
        return metadata.containsKey(key);
    }

    public String string(String key) {
        Object v = require(key);
        if (!(v instanceof String s)) throw new FormatException(file, "metadata '" + key + "' should be a string, got " + describe(v));
        return s;
    }

    public long integer(String key) {
        Object v = require(key);
        if (!(v instanceof Long l)) throw new FormatException(file, "metadata '" + key + "' should be an integer, got " + describe(v));
        return l;
    }

    /** A positive integer that fits an int (sizes and counts). */
    public int positiveInt(String key) {
        long v = integer(key);
        if (v <= 0 || v > Integer.MAX_VALUE) throw new FormatException(file, "metadata '" + key + "' should be a positive integer, got " + v);
        return (int) v;
    }

    public double number(String key) {
        Object v = require(key);
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l;
        throw new FormatException(file, "metadata '" + key + "' should be a number, got " + describe(v));
    }

    public boolean bool(String key, boolean dflt) {
        Object v = metadata.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Boolean b)) throw new FormatException(file, "metadata '" + key + "' should be a boolean, got " + describe(v));
        return b;
    }

    /** An array of strings. */
    public List<String> strings(String key) {
        List<?> list = array(key);
        for (Object o : list) {
            if (!(o instanceof String)) throw new FormatException(file, "metadata '" + key + "' should be an array of strings, has " + describe(o));
        }
        @SuppressWarnings("unchecked") List<String> s = (List<String>) list;
        return s;
    }

    /** An array of integers. */
    public long[] integers(String key) {
        List<?> list = array(key);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l)) throw new FormatException(file, "metadata '" + key + "' should be an array of integers, has " + describe(list.get(i)));
            out[i] = l;
        }
        return out;
    }

    private List<?> array(String key) {
        Object v = require(key);
        if (!(v instanceof List<?> l)) throw new FormatException(file, "metadata '" + key + "' should be an array, got " + describe(v));
        return l;
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) throw new FormatException(file, "missing metadata key '" + key + "'");
        return v;
    }

    private static String describe(Object v) {
        if (v instanceof List<?> l) return "an array of " + l.size();
        if (v instanceof String s) return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + v;
    }

    // ---------------------------------------------------------------- tensors

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new FormatException(file, "missing tensor '" + name + "'");
        return t;
    }

    /** The tensor's type, refusing the ones this reader cannot read. */
    private TensorType supported(Tensor t) {
        if (t.type() == null) {
            throw new FormatException(file, "tensor '" + t.name() + "' has type " + t.typeName()
                    + ", which is not supported (supported: F32, F16, BF16, Q8_0)");
        }
        return t.type();
    }

    /**
     * A 2-D tensor as a [rows, cols] matrix (GGUF dims [cols, rows]), checking its shape: a view of the mapping in
     * its stored type, except Q8_0, whose blocks are copied into the engine's Q8_0 layout (the same values; see
     * {@link DType#Q8_0}) in the arena the file was opened with.
     */
    public Matrix matrix(String name, int rows, int cols) {
        Tensor t = tensor(name);
        TensorType tt = supported(t);
        if (t.dims().length != 2 || t.dims()[0] != cols || t.dims()[1] != rows) {
            throw new FormatException(file, "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected [" + rows + ", " + cols + "] from the metadata");
        }
        return switch (tt) {
            case F32 -> new Matrix(DType.F32, t.data(), rows, cols);
            case F16 -> new Matrix(DType.F16, t.data(), rows, cols);
            case BF16 -> new Matrix(DType.BF16, t.data(), rows, cols);
            case Q8_0 -> {
                if (cols % DType.Q8_BLOCK != 0) {
                    throw new FormatException(file, "tensor '" + name + "' is Q8_0 with rows of " + cols + " values, not a multiple of its blocks of " + DType.Q8_BLOCK);
                }
                yield Matrix.fromGgufQ8_0(t.data(), rows, cols, arena);
            }
        };
    }

    /** A 1-D tensor widened to f32, checking its length. */
    public float[] vector(String name, int n) {
        Tensor t = tensor(name);
        TensorType tt = supported(t);
        if (t.dims().length != 1 || t.dims()[0] != n) {
            throw new FormatException(file, "tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected [" + n + "] from the metadata");
        }
        return switch (tt) {
            case F32 -> new Matrix(DType.F32, t.data(), 1, n).toFloats();
            case F16 -> new Matrix(DType.F16, t.data(), 1, n).toFloats();
            case BF16 -> new Matrix(DType.BF16, t.data(), 1, n).toFloats();
            case Q8_0 -> {
                if (n % DType.Q8_BLOCK != 0) throw new FormatException(file, "tensor '" + name + "' is Q8_0 with " + n + " values, not a multiple of its blocks of " + DType.Q8_BLOCK);
                try (Arena scratch = Arena.ofShared()) {
                    yield Matrix.fromGgufQ8_0(t.data(), 1, n, scratch).toFloats();
                }
            }
        };
    }
}
