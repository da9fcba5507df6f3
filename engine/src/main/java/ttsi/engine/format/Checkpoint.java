package ttsi.engine.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import ttsi.engine.tensor.Matrix;

/**
 * The weights of a Hugging Face checkpoint folder: {@code model.safetensors}, or shards listed in
 * {@code model.safetensors.index.json}. All files are memory-mapped for the lifetime of this object.
 */
public final class Checkpoint implements WeightSource {

    private final Path dir;
    private final Arena arena;
    private final Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Path> fileOf = new LinkedHashMap<>();

    private Checkpoint(Path dir, Arena arena) {
        this.dir = dir;
        this.arena = arena;
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) throw new FormatException(dir, "not a directory (expected a Hugging Face checkpoint folder)");
        Path single = dir.resolve("model.safetensors"), index = dir.resolve("model.safetensors.index.json");
        Arena arena = Arena.ofShared();
        Checkpoint c = new Checkpoint(dir, arena);
        try {
            if (Files.isRegularFile(single)) {
                c.add(Safetensors.open(single, arena));
            } else if (Files.isRegularFile(index)) {
                JsonNode map;
                try {
                    map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
                } catch (IOException e) {
                    throw new FormatException(index, "not valid JSON: " + e.getMessage());
                }
                if (!map.isObject() || map.isEmpty()) throw new FormatException(index, "expected a non-empty 'weight_map' object");
                Set<String> files = new LinkedHashSet<>();
                map.fields().forEachRemaining(e -> files.add(e.getValue().asText()));
                for (String f : files) {
                    Path shard = dir.resolve(f);
                    if (!Files.isRegularFile(shard)) throw new FormatException(index, "names shard '" + f + "', which is missing from " + dir);
                    c.add(Safetensors.open(shard, arena));
                }
                map.fields().forEachRemaining(e -> {
                    if (!c.tensors.containsKey(e.getKey())) {
                        throw new FormatException(index, "maps tensor '" + e.getKey() + "' to " + e.getValue().asText() + ", which does not contain it");
                    }
                });
            } else {
                throw new FormatException(dir, "no model.safetensors or model.safetensors.index.json found");
            }
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        return c;
    }

    private void add(Safetensors file) {
        for (var t : file.tensors().values()) {
            tensors.put(t.name(), t);
            fileOf.put(t.name(), file.file());
        }
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public Map<String, Safetensors.Tensor> tensors() {
        return tensors;
    }

    public Safetensors.Tensor tensor(String name) {
        var t = tensors.get(name);
        if (t == null) throw new FormatException(dir, "missing tensor '" + name + "'");
        return t;
    }

    /** A 2-D tensor as a matrix, checking its shape. */
    @Override
    public Matrix matrix(String name, int rows, int cols) {
        var t = tensor(name);
        if (t.shape().length != 2 || t.shape()[0] != rows || t.shape()[1] != cols) {
            throw new FormatException(fileOf.get(name), "tensor '" + name + "' has shape " + t.shapeString()
                    + ", expected [" + rows + ", " + cols + "] from config.json");
        }
        return new Matrix(t.dtype(), t.data(), rows, cols);
    }

    /** A 1-D tensor widened to f32, checking its length. */
    @Override
    public float[] vector(String name, int n) {
        var t = tensor(name);
        if (t.shape().length != 1 || t.shape()[0] != n) {
            throw new FormatException(fileOf.get(name), "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected [" + n + "] from config.json");
        }
        return new Matrix(t.dtype(), t.data(), 1, n).toFloats();
    }

    @Override
    public void close() {
        arena.close();
    }
}
