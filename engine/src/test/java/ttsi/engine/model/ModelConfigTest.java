package ttsi.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.SharedData;
import ttsi.engine.format.FormatException;
import ttsi.engine.perf.EngineBench;

class ModelConfigTest {

    @Test
    void qwen25HalfBillionRealConfig() {
        ModelConfig c = ModelConfig.load(SharedData.require("models/Qwen2.5-0.5B-Instruct/config.json"));
        assertEquals(ModelConfig.Family.QWEN2, c.family());
        assertEquals(896, c.hiddenSize());
        assertEquals(4864, c.intermediateSize());
        assertEquals(24, c.numLayers());
        assertEquals(14, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(151936, c.vocabSize());
        assertEquals(1e6, c.ropeTheta());
        assertTrue(c.tieWordEmbeddings());
        assertTrue(c.attentionBias());
        assertNull(c.ropeScaling());
        assertEquals(0, c.slidingWindow());
        assertEquals(494_032_768L, c.parameterCount()); // Qwen2.5-0.5B's published count
    }

    @Test
    void qwen25TransformersV5Layout() {
        // rope_theta lives in rope_parameters; dtype instead of torch_dtype.
        ModelConfig c = ModelConfig.load(SharedData.require("models/Qwen2.5-1.5B-Instruct/config.json"));
        assertEquals(1536, c.hiddenSize());
        assertEquals(28, c.numLayers());
        assertEquals(1e6, c.ropeTheta());
        assertEquals("float16", c.torchDtype());
        assertEquals(1_543_714_304L, c.parameterCount());
    }

    @Test
    void llama32WithLlama3RopeScaling() {
        ModelConfig c = ModelConfig.load(SharedData.require("models/Llama-3.2-1B-Instruct/config.json"));
        assertEquals(ModelConfig.Family.LLAMA, c.family());
        assertEquals(64, c.headDim());
        assertEquals(8, c.numKvHeads());
        assertEquals("llama3", c.ropeScaling().type());
        assertEquals(32.0, c.ropeScaling().factor());
        assertEquals(8192, c.ropeScaling().originalMaxPositionEmbeddings());
        assertFalse(c.attentionBias());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertEquals(1_235_814_400L, c.parameterCount());
    }

    @Test
    void builtInBenchmarkShapesLoad() {
        assertEquals(896, EngineBench.shape("qwen2.5-0.5b").hiddenSize());
        assertEquals(1536, EngineBench.shape("qwen2.5-1.5b").hiddenSize());
        assertEquals(2048, EngineBench.shape("llama-3.2-1b").hiddenSize());
    }

    @Test
    void qwen3UsesExplicitHeadDimAndQkNorm() {
        ModelConfig c = TinyModels.config("""
                {"model_type":"qwen3","hidden_size":1024,"intermediate_size":3072,"num_hidden_layers":28,
                 "num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"vocab_size":151936,
                 "rope_theta":1000000,"attention_bias":false,"tie_word_embeddings":true}""");
        assertEquals(128, c.headDim());
        assertEquals(2048, c.qDim());
        assertTrue(c.qkNorm());
        assertFalse(c.attentionBias());
    }

    @Test
    void unknownArchitectureIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"model_type\":\"gpt_neox\",\"architectures\":[\"GPTNeoXForCausalLM\"]}");
        var e = assertThrows(FormatException.class, () -> ModelConfig.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("unsupported architecture: model_type 'gpt_neox'"), e.getMessage());
    }

    @Test
    void missingFieldAndBadJsonAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"model_type\":\"llama\",\"hidden_size\":64}");
        var e = assertThrows(FormatException.class, () -> ModelConfig.load(f));
        assertTrue(e.getMessage().contains("'num_attention_heads' is missing"), e.getMessage());
        Files.writeString(f, "{\"model_type\": llama");
        e = assertThrows(FormatException.class, () -> ModelConfig.load(f));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        e = assertThrows(FormatException.class, () -> ModelConfig.load(dir.resolve("nope/config.json")));
        assertTrue(e.getMessage().contains("file not found"), e.getMessage());
    }

    @Test
    void unsupportedRopeScalingIsNamed() {
        var e = assertThrows(FormatException.class, () -> TinyModels.config("""
                {"model_type":"llama","hidden_size":32,"intermediate_size":64,"num_hidden_layers":1,
                 "num_attention_heads":4,"vocab_size":50,"rope_scaling":{"rope_type":"yarn","factor":4}}"""));
        assertTrue(e.getMessage().contains("rope scaling type 'yarn'"), e.getMessage());
    }

    @Test
    void numbersOfTheWrongTypeOrRangeAreNamed(@TempDir Path dir) throws Exception {
        String good = "{\"model_type\":\"llama\",\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":4,\"vocab_size\":50";
        Path f = dir.resolve("config.json");
        // Each of these loaded before and made every logit NaN, or truncated a size.
        String[][] cases = {
                {",\"rope_theta\":\"abc\"}", "'rope_theta' must be a number > 0 (got \"abc\")"},
                {",\"rope_theta\":0}", "'rope_theta' must be a number > 0"},
                {",\"rms_norm_eps\":-1}", "'rms_norm_eps' must be a number > 0 (got -1)"},
                {",\"rope_parameters\":{\"rope_theta\":-5}}", "'rope_parameters.rope_theta' must be a number > 0"},
                {",\"max_position_embeddings\":1.5}", "'max_position_embeddings' must be a positive integer"},
                {",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":\"8\"}}", "'rope_scaling.factor' must be a number > 0"},
        };
        for (String[] c : cases) {
            Files.writeString(f, good + c[0]);
            var e = assertThrows(FormatException.class, () -> ModelConfig.load(f), c[0]);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
        Files.writeString(f, good.replace("\"hidden_size\":32", "\"hidden_size\":64.5") + "}");
        var e = assertThrows(FormatException.class, () -> ModelConfig.load(f));
        assertTrue(e.getMessage().contains("'hidden_size' is missing or not a positive integer (got 64.5)"), e.getMessage());
        // Whole numbers written as floats (some exporters do) still load.
        Files.writeString(f, good.replace("\"hidden_size\":32", "\"hidden_size\":32.0") + ",\"rms_norm_eps\":1e-5}");
        assertEquals(32, ModelConfig.load(f).hiddenSize());
    }
}
