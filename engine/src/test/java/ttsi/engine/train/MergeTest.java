package ttsi.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import ttsi.engine.Golden;
import ttsi.engine.format.FormatException;
import ttsi.engine.format.Safetensors;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.tensor.DType;

/**
 * Merging a PEFT adapter into the weights (W + scale·B·A). Expected values come from independent paths: PyTorch's
 * adapted logits in the golden fixtures, and the engine's unmerged LoRA forward (base weights untouched, the
 * low-rank path added after each linear layer).
 */
class MergeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A tiny Qwen2 (q/k/v bias, tied) of two layers. */
    static final String TINY = """
            {"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":32,"intermediate_size":64,
             "num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":97,
             "rope_theta":10000.0,"rms_norm_eps":1e-6,"tie_word_embeddings":true,"max_position_embeddings":256,
             "eos_token_id":2,"torch_dtype":"%s"}""";

    static final int[] PROBE = {5, 17, 3, 88, 42, 42, 7, 60, 11};

    static Path tinyModel(Path dir, DType dtype, int layers) throws Exception {
        ObjectNode cfg = (ObjectNode) JSON.readTree(TINY.formatted(dtype == DType.BF16 ? "bfloat16" : "float32"));
        cfg.put("num_hidden_layers", layers);
        RandomCheckpoint.write(dir, cfg, dtype, 0.2, 11, null);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
        return dir;
    }

    /** Trains an adapter on a few random examples (so B is non-zero) and saves it in PEFT format. */
    static Path trainedAdapter(Path modelDir, Path out, LoraConfig lc) throws Exception {
        try (Model m = Model.load(modelDir)) {
            LoraAdapter ad = LoraAdapter.create(m.config(), lc);
            List<TrainingExample> data = List.of(TrainingTest.example(97, 4, 6, 1), TrainingTest.example(97, 3, 5, 2));
            LoraTrainer.train(m.decoder(), ad, data, new TrainConfig(4, 1, 1, 3e-2, 0, "constant", 0, 1.0, false, 0), null);
            for (LoraAdapter.Module mod : ad.modules()) {
                double n = 0;
                for (float v : mod.b) n += Math.abs(v);
                assertTrue(n > 0, mod.path() + ": B stayed zero");
            }
            ad.savePeft(out, modelDir.toString());
        }
        return out;
    }

    static float[] logits(Model m) {
        return m.decoder().logits(PROBE);
    }

    /** Logits of the base with the adapter applied unmerged: the independent reference. */
    static float[] unmerged(Path modelDir, Path adapterDir, int[] tokens) {
        try (Model m = Model.load(modelDir)) {
            LoraAdapter ad = LoraAdapter.loadPeft(adapterDir, m.config());
            return m.decoder().forward(m.decoder().newState(ad), tokens, 0, tokens.length, tokens.length);
        }
    }

    static List<String[]> goldenCases() {
        return GoldenLoraTest.cases();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("goldenCases")
    void mergedWeightsGiveTheReferenceAdaptedLogits(String fixture, String key) {
        JsonNode g = Golden.json(fixture), lg = g.get(key);
        Path dir = Golden.ROOT.resolve(fixture), adapterDir = dir.resolve(lg.get("adapter").asText());
        int[] tokens = Golden.ints(g.get("tokens"));
        boolean f32 = GoldenLoraTest.f32(g);
        float[] reference = Golden.matrix(lg.get("logits")); // PyTorch, unmerged LoRA
        // Merged in f32: PyTorch's adapted logits to the golden tolerance.
        try (Model m = Model.load(dir, (c, w) -> LoraMerge.merge(w, LoraAdapter.loadPeft(adapterDir, c), DType.F32))) {
            Golden.assertClose(fixture + " merged f32 vs torch", reference, m.decoder().logits(tokens), f32 ? 1e-4 : 1e-2);
        }
        // Merged in the stored dtype (what --adapter runs): the engine's unmerged forward, to 1e-5 of the largest
        // logit for f32 weights. bf16/f16 weights round W + ΔW once more (relative 2^-9 / 2^-12 per weight), which
        // moves these fixtures' logits by up to 1.6% of the largest (llama3-bf16: 3 layers, weights of std 0.2),
        // so 3e-2 there; the adapter itself moves them by 14-33% (checked below).
        float[] expected = unmerged(dir, adapterDir, tokens);
        try (Model m = LoraMerge.load(dir, adapterDir)) {
            Golden.assertClose(fixture + " merged vs unmerged", expected, m.decoder().logits(tokens), f32 ? 1e-5 : 3e-2);
            // The adapter moves the logits far more than the tolerance, so a merge that dropped it would fail.
            try (Model base = Model.load(dir)) {
                assertTrue(Golden.relDiff(expected, base.decoder().logits(tokens)) > 0.1, fixture + ": the adapter should matter");
            }
        }
    }

    @Test
    void trainedAdapterMergesAndTestTimeTrainingResetsToIt(@TempDir Path tmp) throws Exception {
        Path base = tinyModel(tmp.resolve("base"), DType.F32, 2);
        // Some modules only, rsLoRA: untargeted layers stay the base's.
        Path adapter = trainedAdapter(base, tmp.resolve("adapter"), new LoraConfig(4, 8, 0, true, List.of("q_proj", "v_proj", "o_proj", "down_proj"), 5));
        float[] expected = unmerged(base, adapter, PROBE);
        try (Model merged = LoraMerge.load(base, adapter); Model plain = Model.load(base)) {
            float[] before = logits(merged);
            assertTrue(Golden.relDiff(expected, before) < 1e-5, "merged vs unmerged: " + Golden.relDiff(expected, before));
            assertTrue(Golden.relDiff(expected, logits(plain)) > 1e-2, "the trained adapter should change the logits");
            // Untargeted matrices and the embeddings are the base's own.
            assertEquals(-1, merged.decoder().weights().layers()[0].k().data().mismatch(plain.decoder().weights().layers()[0].k().data()));
            assertEquals(-1, merged.decoder().weights().embed().data().mismatch(plain.decoder().weights().embed().data()));
            // Test-time LoRA on top of base+adapter, then reset: bit-identical to base+adapter.
            TestTimeTrainer tt = new TestTimeTrainer(merged.decoder(), LoraConfig.defaults(), new TrainConfig(3, 1, 1, 1e-2, 0, "constant", 0, 1.0, false, 0));
            try (TestTimeTrainer.Adaptation a = tt.adapt(List.of(TrainingTest.example(97, 3, 4, 9)), 7, null)) {
                float[] adapted = merged.decoder().forward(a.newState(), PROBE, 0, PROBE.length, PROBE.length);
                assertTrue(Golden.relDiff(before, adapted) > 1e-4, "test-time training should change the outputs");
            }
            assertArrayEquals(before, logits(merged), "after the reset: base+adapter, bit for bit");
        }
    }

    @Test
    void bf16BaseMergesInItsOwnDtype(@TempDir Path tmp) throws Exception {
        Path base = tinyModel(tmp.resolve("base"), DType.BF16, 2);
        Path adapter = trainedAdapter(base, tmp.resolve("adapter"), new LoraConfig(4, 16, 0, false, LoraConfig.ALL_LINEAR, 1));
        float[] expected = unmerged(base, adapter, PROBE);
        try (Model merged = LoraMerge.load(base, adapter)) {
            for (var m : merged.decoder().weights().layers()[1].linears()) assertEquals(DType.BF16, m.dtype());
            double d = Golden.relDiff(expected, logits(merged));
            assertTrue(d < 1e-2, "bf16 merge vs unmerged: " + d);
        }
        // Merged to f32 instead, nothing is rounded after the f32 sum: as close as the f32 case.
        Path out = tmp.resolve("merged-f32");
        LoraMerge.write(base, adapter, out, DType.F32);
        assertEquals("float32", JSON.readTree(out.resolve("config.json").toFile()).get("torch_dtype").asText());
        try (Model m = Model.load(out)) {
            assertTrue(Golden.relDiff(expected, logits(m)) < 1e-5, "f32 merge of a bf16 base vs unmerged: " + Golden.relDiff(expected, logits(m)));
            assertEquals(DType.F32, m.decoder().weights().embed().dtype());
        }
    }

    @Test
    void writtenFolderLoadsToTheSameBits(@TempDir Path tmp) throws Exception {
        Path base = tinyModel(tmp.resolve("base"), DType.BF16, 2);
        Path adapter = trainedAdapter(base, tmp.resolve("adapter"), new LoraConfig(4, 16, 0, false, List.of("q_proj", "gate_proj"), 2));
        Path out = tmp.resolve("merged");
        LoraMerge.write(base, adapter, out, null);
        try (Model inMemory = LoraMerge.load(base, adapter); Model written = Model.load(out)) {
            assertArrayEquals(logits(inMemory), logits(written));
        }
        assertEquals(JSON.readTree(base.resolve("config.json").toFile()), JSON.readTree(out.resolve("config.json").toFile()));
        assertEquals(Files.readString(base.resolve("tokenizer_config.json")), Files.readString(out.resolve("tokenizer_config.json")));
        // Every tensor of the base, same order and dtype; those the adapter does not touch, byte for byte.
        try (Arena arena = Arena.ofConfined()) {
            Safetensors a = Safetensors.open(base.resolve("model.safetensors"), arena), b = Safetensors.open(out.resolve("model.safetensors"), arena);
            assertEquals(List.copyOf(a.tensors().keySet()), List.copyOf(b.tensors().keySet()));
            int changed = 0;
            for (var t : a.tensors().values()) {
                var u = b.tensors().get(t.name());
                assertEquals(t.dtype(), u.dtype(), t.name());
                assertArrayEquals(t.shape(), u.shape(), t.name());
                boolean same = t.data().mismatch(u.data()) == -1;
                boolean adapted = t.name().endsWith("q_proj.weight") || t.name().endsWith("gate_proj.weight");
                assertEquals(!adapted, same, t.name());
                if (!same) changed++;
            }
            assertEquals(4, changed);
            assertEquals("pt", b.metadata().get("format"));
        }
        // A non-empty folder is never written over.
        var e = assertThrows(FormatException.class, () -> LoraMerge.write(base, adapter, out, null));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void peftSettingsThatDoNotChangeTheMathAreAccepted(@TempDir Path tmp) throws Exception {
        Path base = tinyModel(tmp.resolve("base"), DType.F32, 2);
        Path adapter = trainedAdapter(base, tmp.resolve("adapter"), new LoraConfig(4, 8, 0, false, List.of("q_proj", "v_proj"), 3));
        float[] expected;
        try (Model m = LoraMerge.load(base, adapter)) {
            expected = logits(m);
        }
        // fan_in_fan_out (PEFT ignores it for nn.Linear), an empty modules_to_save, a regex over every layer's q/v.
        ObjectNode cfg = (ObjectNode) JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        cfg.put("fan_in_fan_out", true);
        cfg.putArray("modules_to_save");
        cfg.put("target_modules", "model\\.layers\\.\\d+\\.self_attn\\.(q_proj|v_proj)");
        JSON.writeValue(adapter.resolve("adapter_config.json").toFile(), cfg);
        try (Model m = LoraMerge.load(base, adapter)) {
            assertArrayEquals(expected, logits(m));
        }
    }

    @Test
    void badAdaptersNameTheFileAndTheField(@TempDir Path tmp) throws Exception {
        Path base = tinyModel(tmp.resolve("base"), DType.F32, 2);
        Path adapter = trainedAdapter(base, tmp.resolve("adapter"), new LoraConfig(4, 8, 0, false, List.of("q_proj", "k_proj"), 3));
        JsonNode good = JSON.readTree(adapter.resolve("adapter_config.json").toFile());

        assertBad(base, tmp.resolve("nowhere"), "nowhere: not a directory");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertBad(base, empty, "adapter_config.json: file not found");

        record Case(String field, Object value, String message) {}
        for (Case c : List.of(
                new Case("use_dora", true, "field 'use_dora' is true"),
                new Case("modules_to_save", List.of("lm_head"), "field 'modules_to_save' is [\"lm_head\"]"),
                new Case("bias", "lora_only", "field 'bias' is 'lora_only'"),
                new Case("lora_bias", true, "field 'lora_bias' is true"),
                new Case("layers_to_transform", List.of(0), "field 'layers_to_transform'"),
                new Case("peft_type", "IA3", "field 'peft_type' is 'IA3'"),
                new Case("r", "four", "field 'r' is missing or not an integer"),
                new Case("target_modules", "model\\.layers\\.0\\.self_attn\\.q_proj", "selects q_proj in 1 of 2 layers"),
                new Case("target_modules", List.of("q_proj"), "tensor 'base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight' is not a LoRA weight"))) {
            ObjectNode cfg = good.deepCopy();
            cfg.set(c.field(), JSON.valueToTree(c.value()));
            JSON.writeValue(adapter.resolve("adapter_config.json").toFile(), cfg);
            String msg = assertBad(base, adapter, c.message());
            assertTrue(msg.startsWith(adapter.resolve(c.message().startsWith("tensor") ? "adapter_model.safetensors" : "adapter_config.json") + ": "), msg);
        }
        JSON.writeValue(adapter.resolve("adapter_config.json").toFile(), good);

        // An adapter made for another model: layer count, then hidden size.
        Path oneLayer = tinyModel(tmp.resolve("one-layer"), DType.F32, 1);
        String msg = assertBad(oneLayer, adapter, "adapter_model.safetensors: has LoRA weights for 2 layers, but the base model's config.json has num_hidden_layers 1");
        assertTrue(msg.contains("names base model '" + base + "'"), msg);
        msg = assertBad(base, Golden.ROOT.resolve("qwen2-tied-bias/adapter"), "has shape [4, 64], expected [4, 32]");
        assertTrue(msg.contains("hidden_size 32") && msg.contains("names base model 'qwen2-tied-bias'"), msg);

        Files.delete(adapter.resolve("adapter_model.safetensors"));
        assertBad(base, adapter, "adapter_model.safetensors: file not found");
        // Nothing is written when the adapter is refused.
        Path out = tmp.resolve("never");
        assertThrows(FormatException.class, () -> LoraMerge.write(base, adapter, out, null));
        assertTrue(!Files.exists(out));
    }

    /** The merge refuses the adapter with a message containing part; returns the message. */
    static String assertBad(Path base, Path adapter, String part) {
        var e = assertThrows(FormatException.class, () -> LoraMerge.load(base, adapter).close());
        assertTrue(e.getMessage().contains(part), e.getMessage());
        return e.getMessage();
    }
}
