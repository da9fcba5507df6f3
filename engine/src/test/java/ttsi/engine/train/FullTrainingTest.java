package ttsi.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ttsi.engine.Golden;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.Safetensors;
import ttsi.engine.model.Checkpoints;
import ttsi.engine.model.Model;
import ttsi.engine.model.TrainableWeights;

/** Full-parameter gradients against the independent PyTorch reference, finite differences, training and saving. */
class FullTrainingTest {

    static final Path FULLGRAD = Path.of("src/test/resources/fullgrad");

    static JsonNode fullgrad(String fixture) throws IOException {
        return new ObjectMapper().readTree(FULLGRAD.resolve(fixture + ".json").toFile());
    }

    static boolean[] targets(int n, int promptLen) {
        boolean[] t = new boolean[n];
        for (int i = promptLen; i < n; i++) t[i] = true;
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tied-bias", "llama-untied", "qwen3-qknorm"})
    void everyGradientMatchesTheReference(String fixture) throws IOException {
        JsonNode g = fullgrad(fixture);
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            TrainableWeights tw = m.decoder().weights().toTrainable();
            assertEquals(g.get("tied").asBoolean(), tw.tied());
            int[] tokens = Golden.ints(g.get("tokens"));
            int p = g.get("prompt_len").asInt();
            Backprop.Loss loss = new FullBackprop(m.config(), tw).forwardBackward(tokens, targets(tokens.length, p), 1f / (tokens.length - p));
            double expected = g.get("loss").asDouble();
            assertEquals(expected, loss.mean(), 1e-5 * expected, fixture + " loss");

            // The reference has exactly the engine's parameters, and every gradient norm agrees to 1e-4 relative.
            assertEquals(g.get("grad_norm").size(), tw.tensors().size(), "parameter count");
            for (TrainableWeights.Tensor t : tw.tensors()) {
                double e = g.get("grad_norm").get(t.name()).asDouble();
                assertTrue(e > 0, t.name() + " has a zero reference gradient");
                assertEquals(e, GoldenLoraTest.norm(t.grad()), 1e-4 * e, fixture + " |grad| " + t.name());
            }
            var it = g.get("grads").fields();
            int full = 0;
            while (it.hasNext()) {
                var e = it.next();
                JsonNode v = e.getValue();
                float[] exp = v.get(0).isArray() ? Golden.matrix(v) : floats(v);
                Golden.assertClose(fixture + " grad " + e.getKey(), exp, tw.tensor(e.getKey()).grad(), 1e-4);
                full++;
            }
            assertTrue(full >= 5, "full tensors compared: " + full);
        }
    }

    static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) a.get(i).asDouble();
        return out;
    }

    /** Central differences of the loss in a few embedding and norm entries (those with the largest gradients). */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tied-bias", "qwen3-qknorm"})
    void finiteDifferencesAgreeWithTheGradient(String fixture) throws IOException {
        JsonNode g = fullgrad(fixture);
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            TrainableWeights tw = m.decoder().weights().toTrainable();
            int[] tokens = Golden.ints(g.get("tokens"));
            int p = g.get("prompt_len").asInt();
            boolean[] target = targets(tokens.length, p);
            FullBackprop bp = new FullBackprop(m.config(), tw);
            float scale = 1f / (tokens.length - p);
            bp.forwardBackward(tokens, target, scale);
            List<String> names = new java.util.ArrayList<>(List.of("model.embed_tokens.weight", "model.norm.weight",
                    "model.layers.0.input_layernorm.weight", "model.layers.1.post_attention_layernorm.weight"));
            if (fixture.startsWith("qwen3")) names.add("model.layers.0.self_attn.q_norm.weight");
            else names.add("model.layers.0.self_attn.k_proj.bias");
            // Every pass below adds to the grads again: keep the first pass's.
            java.util.Map<String, float[]> grads = new java.util.HashMap<>();
            for (String name : names) grads.put(name, tw.tensor(name).grad().clone());
            for (String name : names) {
                TrainableWeights.Tensor t = tw.tensor(name);
                float[] grad = grads.get(name);
                for (int i : topIndices(grad, 2)) {
                    float orig = t.value()[i], eps = 1e-2f;
                    t.value()[i] = orig + eps;
                    double up = bp.forwardBackward(tokens, target, scale).mean();
                    t.value()[i] = orig - eps;
                    double down = bp.forwardBackward(tokens, target, scale).mean();
                    t.value()[i] = orig;
                    double fd = (up - down) / (2 * eps);
                    assertEquals(grad[i], fd, 2e-3 + 0.03 * Math.abs(grad[i]), fixture + " " + name + "[" + i + "]: analytic " + grad[i] + " vs fd " + fd);
                }
            }
        }
    }

    static int[] topIndices(float[] a, int k) {
        return java.util.stream.IntStream.range(0, a.length).boxed()
                .sorted((x, y) -> Float.compare(Math.abs(a[y]), Math.abs(a[x]))).limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void tinyModelOverfitsOneSequence() {
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
            TrainableWeights tw = m.decoder().weights().toTrainable();
            TrainingExample ex = TrainingTest.example(m.config().vocabSize(), 6, 8, 3);
            TrainConfig cfg = new TrainConfig(40, 1, 1, 3e-3, 0.0, "constant", 0.01, 1.0, false, 0);
            var steps = FullTrainer.train(m.config(), tw, List.of(ex), cfg, null);
            assertEquals(40, steps.size());
            double first = steps.get(0).loss(), last = steps.get(steps.size() - 1).loss();
            assertTrue(first > 3, "initial loss " + first);
            assertTrue(last < 0.05, "final loss " + last + " (first " + first + ")");
            // The inference decoder over the trainable weights sees the update: greedy next tokens reproduce the answer.
            float[] logits = new ttsi.engine.model.Decoder(m.config(), tw.weights()).logits(ex.tokens());
            int v = m.config().vocabSize();
            for (int t = 6; t < ex.tokens().length; t++) {
                int best = 0;
                for (int j = 1; j < v; j++) if (logits[(t - 1) * v + j] > logits[(t - 1) * v + best]) best = j;
                assertEquals(ex.tokens()[t], best, "greedy token at " + t);
            }
        }
    }

    @Test
    void weightDecayAppliesToMatricesOnly() {
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
            TrainableWeights tw = m.decoder().weights().toTrainable();
            float[] q0 = tw.tensor("model.layers.0.self_attn.q_proj.weight").value().clone();
            float[] b0 = tw.tensor("model.layers.0.self_attn.q_proj.bias").value().clone();
            float[] n0 = tw.tensor("model.norm.weight").value().clone();
            FullTrainer.optimizer(tw, 0.5).step(0.1); // zero grads: only decay moves anything
            float[] q1 = tw.tensor("model.layers.0.self_attn.q_proj.weight").value();
            for (int i = 0; i < q0.length; i++) assertEquals(q0[i] * 0.95f, q1[i], 1e-6f);
            assertTrue(java.util.Arrays.equals(b0, tw.tensor("model.layers.0.self_attn.q_proj.bias").value()), "bias not decayed");
            assertTrue(java.util.Arrays.equals(n0, tw.tensor("model.norm.weight").value()), "norm not decayed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tied-bias", "llama-untied"})
    void savedCheckpointLoadsBackWithTheSameLogits(String fixture, @TempDir Path tmp) throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.copy(Golden.ROOT.resolve(fixture).resolve("config.json"), src.resolve("config.json"));
        Files.writeString(src.resolve("tokenizer_config.json"), "{\"model_max_length\": 64}\n");
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            TrainableWeights tw = m.decoder().weights().toTrainable();
            int[] probe = Golden.ints(Golden.json(fixture).get("tokens"));
            float[] before = m.decoder().logits(probe);
            var cfg = new TrainConfig(2, 1, 1, 1e-3, 0.0, "constant", 0.1, 1.0, false, 0);
            FullTrainer.train(m.config(), tw, List.of(TrainingTest.example(m.config().vocabSize(), 4, 5, 9)), cfg, null);
            float[] trained = new ttsi.engine.model.Decoder(m.config(), tw.weights()).logits(probe);
            assertFalse(java.util.Arrays.equals(before, trained), "training changed the model");
            assertTrue(java.util.Arrays.equals(before, m.decoder().logits(probe)), "the loaded model is untouched");

            Path out = tmp.resolve("f32");
            Checkpoints.save(out, src, tw, DType.F32);
            assertEquals("{\"model_max_length\": 64}\n", Files.readString(out.resolve("tokenizer_config.json")));
            var header = Safetensors.open(out.resolve("model.safetensors"), java.lang.foreign.Arena.ofAuto()).tensors();
            assertEquals(!tw.tied(), header.containsKey("lm_head.weight"), "lm_head only when untied");
            assertEquals(tw.tensors().size(), header.size());
            try (Model back = Model.load(out)) {
                assertEquals(m.config(), back.config());
                assertTrue(java.util.Arrays.equals(trained, back.decoder().logits(probe)), "f32 round trip is exact");
            }
            Path bf = tmp.resolve("bf16");
            Checkpoints.save(bf, new ObjectMapper().readTree(src.resolve("config.json").toFile()), tw, DType.BF16, null);
            assertFalse(Files.exists(bf.resolve("tokenizer_config.json")));
            try (Model back = Model.load(bf)) {
                Golden.assertClose(fixture + " bf16 round trip", trained, back.decoder().logits(probe), 3e-2);
            }
        }
    }
}
