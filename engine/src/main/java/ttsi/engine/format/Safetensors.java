package ttsi.engine.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import ttsi.engine.tensor.DType;
import ttsi.engine.tensor.Matrix;

/**
 * One safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the raw tensor bytes.
 * Tensors are views of the mapping; nothing is copied.
 */
public final class Safetensors {

    /** One tensor's entry: its dtype, shape and bytes (a view of the mapped file). */
    public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        public long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private Safetensors(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps the file for the lifetime of the given arena (use Arena.ofAuto() or a shared arena closed with the model). */
    public static Safetensors open(Path file, Arena arena) {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "file not found");
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new FormatException(file, "not a safetensors file: " + size + " bytes, the 8-byte header length is missing");
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, all);
    }

    static Safetensors parse(Path file, MemorySegment all) {
        long size = all.byteSize();
        long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
            throw new FormatException(file, "corrupt or truncated safetensors header: header length " + headerLen
                    + " but the file has " + size + " bytes");
        }
        byte[] headerBytes = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FormatException(file, "safetensors header is not valid JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) throw new FormatException(file, "safetensors header is not a JSON object");
        long dataStart = 8 + headerLen, dataLen = size - dataStart;
        MemorySegment data = all.asSlice(dataStart, dataLen);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode info = e.getValue();
            if (name.equals("__metadata__")) {
                info.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String dtypeName = info.path("dtype").asText(null);
            DType dtype = dtypeName == null ? null : DType.fromSafetensors(dtypeName);
            if (dtype == null) {
                throw new FormatException(file, "tensor '" + name + "' has unsupported dtype " + dtypeName + " (expected F32, BF16 or F16)");
            }
            JsonNode shapeNode = info.path("shape"), offs = info.path("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                throw new FormatException(file, "tensor '" + name + "' needs 'shape' and 'data_offsets' [begin, end]");
            }
            long[] shape = new long[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0) throw new FormatException(file, "tensor '" + name + "' has a negative or non-integer dimension");
                elements *= shape[i];
            }
            long begin = offs.get(0).asLong(-1), end = offs.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLen) {
                throw new FormatException(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                        + "] run past the end of the data (" + dataLen + " bytes): file truncated?");
            }
            if (end - begin != dtype.byteSize(elements)) {
                throw new FormatException(file, "tensor '" + name + "' has " + (end - begin) + " bytes but shape "
                        + Arrays.toString(shape) + " of " + dtype + " needs " + dtype.byteSize(elements));
            }
            tensors.put(name, new Tensor(name, dtype, shape, data.asSlice(begin, end - begin)));
        }
        return new Safetensors(file, tensors, metadata);
    }

    public Path file() {
        return file;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Writes tensors to a safetensors file. Values are f32 arrays, stored as the given dtype (bf16 rounds to
     * nearest even, as PyTorch does).
     */
    public static void write(Path file, Map<String, float[]> values, Map<String, long[]> shapes, DType dtype,
                             Map<String, String> metadata) throws IOException {
        java.util.List<Entry> entries = new java.util.ArrayList<>();
        for (var e : values.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            long n = 1;
            for (long d : shape) n *= d;
            if (n != e.getValue().length) throw new IllegalArgumentException(e.getKey() + ": shape does not match values");
            entries.add(new Entry(e.getKey(), shape, null, dtype));
        }
        byte[] hp = header(entries, metadata);
        try (var ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).flip();
            ch.write(buf);
            ch.write(java.nio.ByteBuffer.wrap(hp));
            for (float[] v : values.values()) {
                var b = java.nio.ByteBuffer.allocate(Math.toIntExact(dtype.byteSize(v.length))).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    switch (dtype) {
                        case F32 -> b.putFloat(f);
                        case BF16 -> b.putShort(Matrix.floatToBf16(f));
                        case F16 -> b.putShort(Float.floatToFloat16(f));
                    }
                }
                b.flip();
                while (b.hasRemaining()) ch.write(b);
            }
        }
    }

    /**
     * A tensor to write from memory: its name, shape, values read through a matrix of any dtype (rows x cols = the
     * shape's element count) and the dtype to store it in.
     */
    public record Entry(String name, long[] shape, Matrix values, DType dtype) {
        public Entry {
            if (!dtype.elementWise()) throw new IllegalArgumentException(name + ": safetensors stores f32, bf16 or f16, not " + dtype);
        }
    }

    /** The JSON header (with its padding to 8 bytes) for tensors stored one after the other in the given order. */
    private static byte[] header(java.util.List<Entry> entries, Map<String, String> metadata) {
        var header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            var m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            var t = header.putObject(e.name());
            t.put("dtype", e.dtype().name());
            var s = t.putArray("shape");
            long n = 1;
            for (long d : e.shape()) {
                s.add(d);
                n *= d;
            }
            var o = t.putArray("data_offsets");
            o.add(offset);
            offset += e.dtype().byteSize(n);
            o.add(offset);
        }
        byte[] h;
        try {
            h = JSON.writeValueAsBytes(header);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        int pad = (8 - h.length % 8) % 8;
        byte[] hp = Arrays.copyOf(h, h.length + pad);
        Arrays.fill(hp, h.length, hp.length, (byte) ' ');
        return hp;
    }

    /**
     * Writes tensors to a safetensors file, streaming: each tensor is read from its matrix a chunk at a time, its
     * bytes copied as they are when the dtype is unchanged, else converted (bf16 rounds to nearest even). Nothing
     * is widened to f32 in bulk, so a checkpoint larger than the heap can be written.
     */
    public static void writeEntries(Path file, java.util.List<Entry> entries, Map<String, String> metadata) throws IOException {
        for (Entry e : entries) {
            long n = 1;
            for (long d : e.shape()) n *= d;
            if (n != e.values().size()) throw new IllegalArgumentException(e.name() + ": shape " + Arrays.toString(e.shape()) + " does not match " + e.values().size() + " values");
        }
        byte[] hp = header(entries, metadata);
        final int chunk = 1 << 20; // elements per write
        try (var ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).flip());
            ch.write(java.nio.ByteBuffer.wrap(hp));
            byte[] buf = new byte[chunk * 4];
            MemorySegment bufSeg = MemorySegment.ofArray(buf);
            for (Entry e : entries) {
                Matrix m = e.values();
                DType to = e.dtype();
                long total = m.size();
                for (long from = 0; from < total; from += chunk) {
                    int n = (int) Math.min(chunk, total - from);
                    if (m.dtype() == to) {
                        MemorySegment.copy(m.data(), to.byteSize(from), bufSeg, 0, to.byteSize(n));
                    } else {
                        for (int i = 0; i < n; i++) {
                            float v = m.get(from + i);
                            switch (to) {
                                case F32 -> bufSeg.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), (long) i * 4, v);
                                case BF16 -> bufSeg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), (long) i * 2,
                                        Matrix.floatToBf16(v));
                                case F16 -> bufSeg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), (long) i * 2, Float.floatToFloat16(v));
                            }
                        }
                    }
                    var bb = java.nio.ByteBuffer.wrap(buf, 0, (int) to.byteSize(n));
                    while (bb.hasRemaining()) ch.write(bb);
                }
            }
        }
    }
}
