package ttsi.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import ttsi.engine.Golden;
import ttsi.engine.model.Model;

/** LoRA loss, gradients and adapted logits against the independent PyTorch reference (torch_ref loragrad). */
class GoldenLoraTest {

    static List<String[]> cases() {
        List<String[]> out = new java.util.ArrayList<>();
        for (String f : Golden.fixtures()) {
            JsonNode g = Golden.json(f);
            if (g.has("lora")) out.add(new String[] {f, "lora"});
            if (g.has("lora_rslora")) out.add(new String[] {f, "lora_rslora"});
        }
        return out;
    }

    static boolean f32(JsonNode g) {
        return g.path("tolerance").path("logits_rel_to_max_abs").asDouble(1e-4) <= 1e-4;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void lossAndGradientsMatch(String fixture, String key) {
        JsonNode g = Golden.json(fixture), lg = g.get(key);
        boolean f32 = f32(g);
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            LoraAdapter ad = LoraAdapter.loadPeft(Golden.ROOT.resolve(fixture).resolve(lg.get("adapter").asText()), m.config());
            assertEquals(lg.get("scale").asDouble(), ad.scale(), 1e-6);
            int[] tokens = Golden.ints(g.get("tokens"));
            int p = lg.get("prompt_len").asInt();
            boolean[] target = new boolean[tokens.length];
            for (int t = p; t < tokens.length; t++) target[t] = true;
            var bp = new Backprop(m.decoder(), ad);
            Backprop.Loss loss = bp.forwardBackward(tokens, target, 1f / (tokens.length - p));
            double expectedLoss = lg.get("loss").asDouble();
            assertEquals(expectedLoss, loss.mean(), (f32 ? 1e-5 : 1e-2) * Math.abs(expectedLoss), fixture + " loss");

            // Gradient norms of every module, relative 1e-4 (f32).
            Map<String, LoraAdapter.Module> byPath = new java.util.HashMap<>();
            for (LoraAdapter.Module mod : ad.modules()) byPath.put(mod.path() + ".weight", mod);
            var it = lg.get("grad_norm").fields();
            while (it.hasNext()) {
                var e = it.next();
                LoraAdapter.Module mod = byPath.get(e.getKey());
                double na = norm(mod.gradA), nb = norm(mod.gradB);
                double ea = e.getValue().get(0).asDouble(), eb = e.getValue().get(1).asDouble();
                double tol = f32 ? 1e-4 : 1e-2;
                assertEquals(ea, na, tol * ea + 1e-7, fixture + " |dA| " + e.getKey());
                assertEquals(eb, nb, tol * eb + 1e-7, fixture + " |dB| " + e.getKey());
            }
            // Full gradient tensors for two modules: 1e-4 relative to the largest entry (f32).
            var grads = lg.get("grads").fields();
            while (grads.hasNext()) {
                var e = grads.next();
                String name = e.getKey().substring("base_model.model.".length());
                boolean isA = name.endsWith(".lora_A.weight");
                LoraAdapter.Module mod = byPath.get(name.replace(isA ? ".lora_A.weight" : ".lora_B.weight", ".weight"));
                Golden.assertClose(fixture + " " + name, Golden.matrix(e.getValue()), isA ? mod.gradA : mod.gradB, f32 ? 1e-4 : 1e-2);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void adaptedLogitsMatch(String fixture, String key) {
        JsonNode g = Golden.json(fixture), lg = g.get(key);
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            LoraAdapter ad = LoraAdapter.loadPeft(Golden.ROOT.resolve(fixture).resolve(lg.get("adapter").asText()), m.config());
            int[] tokens = Golden.ints(g.get("tokens"));
            float[] got = m.decoder().forward(m.decoder().newState(ad), tokens, 0, tokens.length, tokens.length);
            Golden.assertClose(fixture + " adapted logits", Golden.matrix(lg.get("logits")), got, f32(g) ? 1e-4 : 1e-2);
        }
    }

    static double norm(float[] a) {
        double s = 0;
        for (float v : a) s += (double) v * v;
        return Math.sqrt(s);
    }
}
