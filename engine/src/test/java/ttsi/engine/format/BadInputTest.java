package ttsi.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.Golden;
import ttsi.engine.model.Model;
import ttsi.engine.tensor.DType;

/** Every malformed input gives a FormatException that names the file and the problem. */
class BadInputTest {

    static void assertFails(Path expectedFile, String expectedProblem, Runnable load) {
        FormatException e = assertThrows(FormatException.class, load::run);
        assertTrue(e.getMessage().contains(expectedFile.toString()), "message should name " + expectedFile + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedProblem), "message should say '" + expectedProblem + "': " + e.getMessage());
    }

    static void safetensors(String name, String problem) {
        Path f = Golden.BAD.resolve(name);
        assertFails(f, problem, () -> Safetensors.open(f, Arena.ofAuto()));
    }

    @Test
    void controlCheckpointLoads() {
        try (Model m = Model.load(Golden.BAD.resolve("control-ok"))) {
            assertEquals(64, m.config().vocabSize());
        }
    }

    @Test
    void truncatedHeader() {
        safetensors("truncated-header.safetensors", "corrupt or truncated safetensors header: header length 200 but the file has 48 bytes");
    }

    @Test
    void headerNotJson() {
        safetensors("header-not-json.safetensors", "safetensors header is not valid JSON");
    }

    @Test
    void offsetsPastTheEnd() {
        safetensors("offsets-past-end.safetensors", "tensor 'w' data_offsets [0, 64] run past the end of the data (32 bytes)");
    }

    @Test
    void unknownDtypes() {
        safetensors("unknown-dtype-f8.safetensors", "tensor 'w' has unsupported dtype F8_E4M3 (expected F32, BF16 or F16)");
        safetensors("unknown-dtype-i64.safetensors", "tensor 'w' has unsupported dtype I64");
    }

    @Test
    void unknownArchitecture() {
        Path dir = Golden.BAD.resolve("unknown-model-type");
        assertFails(dir.resolve("config.json"), "unsupported architecture: model_type 'gpt_neox'", () -> Model.load(dir));
    }

    @Test
    void missingTensor() {
        Path dir = Golden.BAD.resolve("missing-tensor");
        assertFails(dir, "missing tensor 'model.layers.1.self_attn.o_proj.weight'", () -> Model.load(dir));
    }

    @Test
    void wrongShape() {
        Path dir = Golden.BAD.resolve("wrong-shape");
        assertFails(dir.resolve("model.safetensors"),
                "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [16, 16], expected [8, 16] from config.json", () -> Model.load(dir));
    }

    @Test
    void missingConfig() {
        Path dir = Golden.BAD.resolve("no-config");
        assertFails(dir.resolve("config.json"), "file not found", () -> Model.load(dir));
    }

    @Test
    void missingShard() {
        Path dir = Golden.BAD.resolve("missing-shard");
        assertFails(dir.resolve("model.safetensors.index.json"), "names shard 'model-00002-of-00002.safetensors', which is missing", () -> Model.load(dir));
    }

    @Test
    void noWeightsAtAll(@TempDir Path dir) throws Exception {
        Files.copy(Golden.BAD.resolve("control-ok/config.json"), dir.resolve("config.json"));
        assertFails(dir, "no model.safetensors or model.safetensors.index.json found", () -> Model.load(dir));
    }

    @Test
    void writeThenReadRoundTripsEveryDtype(@TempDir Path dir) throws Exception {
        float[] v = {1f, -2.5f, 0.1f, 3.1415927f, 65504f, -0f};
        for (DType dt : DType.values()) {
            if (!dt.elementWise()) continue; // safetensors has no block types
            Path f = dir.resolve(dt + ".safetensors");
            Map<String, float[]> values = new LinkedHashMap<>();
            values.put("a", v);
            Safetensors.write(f, values, Map.of("a", new long[] {2, 3}), dt, Map.of("format", "pt"));
            Safetensors s = Safetensors.open(f, Arena.ofAuto());
            Safetensors.Tensor t = s.tensors().get("a");
            assertEquals(dt, t.dtype());
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertEquals("pt", s.metadata().get("format"));
            float[] back = new ttsi.engine.tensor.Matrix(dt, t.data(), 2, 3).toFloats();
            for (int i = 0; i < v.length; i++) {
                float expected = switch (dt) {
                    case F32 -> v[i];
                    case BF16 -> ttsi.engine.tensor.Matrix.bf16ToFloat(ttsi.engine.tensor.Matrix.floatToBf16(v[i]));
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(v[i]));
                    case Q8_0 -> throw new AssertionError();
                };
                assertEquals(expected, back[i], dt + " element " + i);
            }
        }
    }
}
