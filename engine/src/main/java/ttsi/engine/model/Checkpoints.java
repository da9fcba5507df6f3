package ttsi.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.Safetensors;

/** Saves trained weights as an ordinary Hugging Face checkpoint folder that {@link Model#load} (and HF) can read. */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * Writes config.json (as given), model.safetensors in dtype (F32, BF16 or F16; tied models have no lm_head
     * tensor, as HF saves them) and, when tokenizerFrom is non-null, copies that folder's tokenizer and
     * chat-template files.
     */
    public static void save(Path dir, JsonNode configJson, TrainableWeights weights, DType dtype, Path tokenizerFrom) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), configJson);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (TrainableWeights.Tensor t : weights.tensors()) {
            values.put(t.name(), t.value());
            shapes.put(t.name(), t.shape());
        }
        Safetensors.write(dir.resolve("model.safetensors"), values, shapes, dtype, Map.of("format", "pt"));
        if (tokenizerFrom != null) copyTokenizerFiles(tokenizerFrom, dir);
    }

    /**
     * Copies a model folder's tokenizer, chat-template and generation-config files (those it has) into another
     * folder, replacing files of the same name.
     */
    public static void copyTokenizerFiles(Path from, Path to) throws IOException {
        for (String f : RandomCheckpoint.TOKENIZER_FILES) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) Files.copy(src, to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Saves next to a source folder's files: its config.json as is, and its tokenizer files. */
    public static void save(Path dir, Path sourceModelDir, TrainableWeights weights, DType dtype) throws IOException {
        JsonNode cfg = new ObjectMapper().readTree(sourceModelDir.resolve("config.json").toFile());
        save(dir, cfg, weights, dtype, sourceModelDir);
    }
}
