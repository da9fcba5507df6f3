package ttsi.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import ttsi.engine.format.Checkpoint;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.FormatException;
import ttsi.engine.format.Safetensors;
import ttsi.engine.model.Checkpoints;
import ttsi.engine.model.Model;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.Projection;
import ttsi.engine.model.Weights;
import ttsi.engine.tensor.Matrix;
import ttsi.engine.tensor.Parallel;

/**
 * A PEFT LoRA adapter merged into a model's weights: W' = W + scale·B·A for every adapted linear layer (scale =
 * lora_alpha/r, or lora_alpha/√r with rsLoRA), computed in f32 from the stored W and stored in a chosen dtype,
 * by default each weight's own (as PEFT's merge_and_unload does). Everything else (embeddings, norms, biases,
 * layers the adapter does not target) is the base model's, unchanged.
 *
 * <p>A model loaded with {@link #load} runs on the merged weights: test-time LoRA trains on top of them and its
 * reset drops back to exactly them. {@link #write} saves the same merged weights as a plain Hugging Face folder,
 * so loading that folder gives the same bits as loading the base with the adapter.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /**
     * The weights with the adapter merged. Merged matrices are new (off-heap, in {@code dtype}, or each base
     * matrix's dtype when null); all other tensors are shared with {@code base}, which is left as it is.
     */
    public static Weights merge(Weights base, LoraAdapter adapter, DType dtype) {
        Arena arena = Arena.ofAuto();
        float scale = adapter.scale();
        Weights.Layer[] layers = base.layers().clone();
        for (int l = 0; l < layers.length; l++) {
            Weights.Layer w = layers[l];
            Matrix[] lin = w.linears();
            boolean any = false;
            for (Projection pr : Projection.values()) {
                int mi = pr.ordinal();
                LoraAdapter.Module m = adapter.module(l, pr);
                if (m == null) continue;
                lin[mi] = merged(lin[mi], m, scale, dtype == null ? lin[mi].dtype() : dtype, arena);
                any = true;
            }
            if (any) {
                layers[l] = new Weights.Layer(w.inputNorm(), w.postAttentionNorm(), lin[0], lin[1], lin[2], lin[3], w.qBias(), w.kBias(), w.vBias(),
                        w.qNorm(), w.kNorm(), lin[4], lin[5], lin[6]);
            }
        }
        return new Weights(base.embed(), layers, base.finalNorm(), base.lmHead());
    }

    /** W + scale·B·A, row by row in f32 (ΔW's row = Σ_j B[o][j]·A[j]), then rounded once to dtype. */
    static Matrix merged(Matrix w, LoraAdapter.Module m, float scale, DType dtype, Arena arena) {
        int rows = w.rows(), cols = w.cols(), r = m.r;
        if (rows != m.out || cols != m.in) {
            throw new IllegalArgumentException(m.path() + ": weight is " + rows + "x" + cols + ", adapter expects " + m.out + "x" + m.in);
        }
        Matrix out = new Matrix(dtype, arena.allocate(dtype.matrixBytes(rows, cols), 64), rows, cols);
        int chunks = Math.max(1, Math.min(rows, 64));
        Parallel.global().forEach(chunks, ch -> {
            float[] row = new float[cols], delta = new float[cols];
            int from = (int) ((long) rows * ch / chunks), to = (int) ((long) rows * (ch + 1) / chunks);
            for (int o = from; o < to; o++) {
                w.row(o, row, 0);
                java.util.Arrays.fill(delta, 0f);
                for (int j = 0; j < r; j++) {
                    float b = m.b[o * r + j];
                    int aOff = j * cols;
                    for (int i = 0; i < cols; i++) delta[i] += b * m.a[aOff + i];
                }
                for (int i = 0; i < cols; i++) row[i] += scale * delta[i];
                out.setRow(o, row, 0);
            }
        });
        return out;
    }

    /**
     * Loads a checkpoint folder with a PEFT adapter folder merged into its weights (each in its stored dtype);
     * {@code adapterDir} null: the folder as it is. Errors name the file and field (see {@link LoraAdapter#loadPeft}).
     */
    public static Model load(Path modelDir, Path adapterDir) {
        return load(modelDir, adapterDir, null);
    }

    /**
     * {@link #load(Path, Path)} with every weight matrix in {@code dtype} (null: as stored): adapted layers are merged
     * in f32 and rounded once to it, the others converted.
     */
    public static Model load(Path modelDir, Path adapterDir, DType dtype) {
        if (adapterDir == null) return Model.load(modelDir, dtype);
        return Model.load(modelDir, (config, weights) -> {
            Weights merged = merge(weights, LoraAdapter.loadPeft(adapterDir, config), dtype);
            return dtype == null ? merged : merged.converted(dtype, Arena.ofAuto());
        });
    }

    /**
     * Writes the base folder with the adapter merged as a plain Hugging Face folder: config.json (its torch_dtype
     * set when {@code dtype} is given), one model.safetensors holding every tensor of the base checkpoint in its
     * order (adapted linear weights merged; the rest copied bit for bit, or converted to {@code dtype}), and the
     * tokenizer, chat-template and generation-config files. {@code dtype} null keeps each tensor's dtype. Refuses
     * an {@code out} that exists and is not an empty folder.
     */
    public static void write(Path modelDir, Path adapterDir, Path out, DType dtype) throws IOException {
        if (dtype != null && !dtype.elementWise()) {
            throw new IllegalArgumentException("--dtype " + dtype.name().toLowerCase(java.util.Locale.ROOT)
                    + " cannot be stored in safetensors: a merged checkpoint is f32, bf16 or f16 (load it with --dtype q8_0 instead)");
        }
        if (Files.exists(out)) {
            if (!Files.isDirectory(out)) throw new FormatException(out, "exists and is not a folder; the merged checkpoint needs a new or empty folder");
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) throw new FormatException(out, "is not empty; the merged checkpoint is written only into a new or empty folder");
            }
        }
        if (ttsi.engine.format.GgufCheckpoint.find(modelDir) != null) {
            throw new FormatException(modelDir, "is a GGUF model; writing a merged checkpoint needs a Hugging Face folder as the base "
                    + "(a GGUF base with an adapter can still be loaded and run: --model with --adapter)");
        }
        Path configFile = modelDir.resolve("config.json");
        ModelConfig config = ModelConfig.load(configFile);
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            Weights base = Weights.load(ckpt, config);
            LoraAdapter adapter = LoraAdapter.loadPeft(adapterDir, config);
            Weights merged = merge(base, adapter, dtype);
            Map<String, Matrix> replaced = new HashMap<>();
            for (LoraAdapter.Module m : adapter.modules()) {
                replaced.put(m.path() + ".weight", merged.layers()[m.layer].linears()[m.projection.ordinal()]);
            }
            List<Safetensors.Entry> entries = new ArrayList<>();
            for (Safetensors.Tensor t : ckpt.tensors().values()) {
                Matrix values = replaced.get(t.name());
                if (values == null) {
                    long n = t.elements();
                    int rows = t.shape().length == 0 || t.shape()[0] == 0 ? 1 : Math.toIntExact(t.shape()[0]);
                    values = new Matrix(t.dtype(), t.data(), rows, Math.toIntExact(n / rows));
                }
                entries.add(new Safetensors.Entry(t.name(), t.shape(), values, dtype == null ? t.dtype() : dtype));
            }
            Files.createDirectories(out);
            Path partial = out.resolve("model.safetensors.partial");
            try {
                Safetensors.writeEntries(partial, entries, Map.of("format", "pt"));
                Files.move(partial, out.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            ObjectMapper json = new ObjectMapper();
            ObjectNode cfg = (ObjectNode) json.readTree(configFile.toFile());
            if (dtype != null) {
                String name = switch (dtype) {
                    case F32 -> "float32";
                    case BF16 -> "bfloat16";
                    case F16 -> "float16";
                    case Q8_0 -> throw new AssertionError("refused above");
                };
                if (cfg.has("dtype")) cfg.put("dtype", name); // transformers v5
                if (cfg.has("torch_dtype") || !cfg.has("dtype")) cfg.put("torch_dtype", name);
            }
            json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("config.json").toFile(), cfg);
            Checkpoints.copyTokenizerFiles(modelDir, out);
        }
    }
}
