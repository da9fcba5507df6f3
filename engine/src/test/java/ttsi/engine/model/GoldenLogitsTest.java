package ttsi.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import ttsi.engine.Golden;
import ttsi.engine.sample.Scorer;

/** Logits, KV-cached decode and continuation scores against the independent PyTorch reference. */
class GoldenLogitsTest {

    static List<String> fixtures() {
        return Golden.fixtures();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void logitsMatchTheReference(String fixture) {
        JsonNode g = Golden.json(fixture);
        double tol = g.path("tolerance").path("logits_rel_to_max_abs").asDouble(1e-4);
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            int[] tokens = Golden.ints(g.get("tokens"));
            Golden.assertClose(fixture + " logits", Golden.matrix(g.get("logits")), m.decoder().logits(tokens), tol);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void cachedDecodeMatchesTheReference(String fixture) {
        JsonNode g = Golden.json(fixture);
        if (!g.has("decode")) return;
        double tol = g.path("tolerance").path("logits_rel_to_max_abs").asDouble(1e-4);
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            Decoder d = m.decoder();
            int[] tokens = Golden.ints(g.get("tokens"));
            int prefill = g.get("decode").get("prefill_len").asInt(), v = m.config().vocabSize();
            State s = d.newState();
            float[] all = new float[tokens.length * v];
            System.arraycopy(d.forward(s, tokens, 0, prefill, prefill), 0, all, 0, prefill * v);
            for (int t = prefill; t < tokens.length; t++) System.arraycopy(d.forward(s, tokens, t, 1, 1), 0, all, t * v, v);
            Golden.assertClose(fixture + " decode", Golden.matrix(g.get("decode").get("logits")), all, tol);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void continuationScoreMatchesTheReference(String fixture) {
        JsonNode g = Golden.json(fixture);
        JsonNode lp = g.get("logprobs");
        boolean f32 = g.path("tolerance").path("logits_rel_to_max_abs").asDouble(1e-4) <= 1e-4;
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            int[] tokens = Golden.ints(g.get("tokens"));
            int p = lp.get("prompt_len").asInt();
            int[] prompt = java.util.Arrays.copyOfRange(tokens, 0, p), cont = java.util.Arrays.copyOfRange(tokens, p, tokens.length);
            var score = Scorer.score(m.decoder(), prompt, List.of(cont)).get(0);
            assertEquals(lp.get("continuation_logprob_sum").asDouble(), score.sum(), f32 ? 1e-3 * cont.length : 1e-1 * cont.length, fixture);
            for (int t = p; t < tokens.length; t++) {
                assertEquals(lp.get("next_token").get(t - 1).asDouble(), score.tokenLogprobs()[t - p], f32 ? 1e-3 : 1e-1, fixture + " token " + t);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void longSequenceWithRopeScaling(String fixture) {
        JsonNode g = Golden.json(fixture);
        if (!g.has("long")) return;
        JsonNode l = g.get("long");
        try (Model m = Model.load(Golden.ROOT.resolve(fixture))) {
            int[] tokens = Golden.ints(l.get("tokens"));
            JsonNode rows = l.has("logits_last") ? l.get("logits_last") : l.get("logits");
            float[] got = m.decoder().forward(m.decoder().newState(), tokens, 0, tokens.length, rows.size());
            Golden.assertClose(fixture + " long", Golden.matrix(rows), got, 1e-4);
        }
    }
}
