package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ttsi.bench.Benchmark;
import ttsi.bench.Benchmarks;
import ttsi.bench.Fixtures;
import ttsi.bench.data.Dataset;

class EvaluationTest {
    @ParameterizedTest
    @ValueSource(strings = {"sealtool", "apibank-l1", "nexusraven", "sealtool-in-domain", "apibank-l1-official", "toolalpaca-real",
            "bfcl-simple_python", "bfcl-irrelevance", "bfcl-live_custom"})
    void goldScoresOneOnTheFixtures(String name) {
        Benchmark b = Benchmarks.get(name);
        Dataset d = b.load(Fixtures.dataDir());
        EvalReport r = Evaluation.evaluate(b, d, Evaluation.goldPredictions(d));
        assertEquals(1.0, r.accuracy(), name);
        r.metrics().forEach((k, v) -> {
            if (!k.contains("_script.")) assertEquals(1.0, v, 1e-12, name + " " + k);
        });
    }

    @Test
    void missingPredictionsCountAsUnparsable() {
        Benchmark b = Benchmarks.get("sealtool");
        Dataset d = b.load(Fixtures.dataDir());
        EvalReport r = Evaluation.evaluate(b, d, Map.of("sealtool_0", Prediction.ofCalls("sealtool_0", d.samples().get(0).gold())));
        assertEquals(0.5, r.accuracy());
        assertEquals(1, r.counts().missing());
        var miss = r.results().get(1);
        assertTrue(miss.missing());
        assertFalse(miss.correct());
        assertEquals("unparsable output: no prediction", miss.reason());
        assertEquals(0.5, r.metrics().get("hammer.api_precision"), 1e-12); // the missing answer counts as one wrong call
        assertTrue(miss.toJson().get("missing").asBoolean());
    }

    @Test
    void groupsAreReported() {
        Benchmark b = Benchmarks.get("nexusraven");
        Dataset d = b.load(Fixtures.dataDir());
        EvalReport r = Evaluation.evaluate(b, d, Evaluation.goldPredictions(d));
        assertEquals(2, r.groups().get("virustotal").samples());
        assertEquals(1.0, r.groups().get("virustotal").accuracy());
        assertEquals(1.0, r.toJson().at("/groups/virustotal/accuracy").asDouble());
    }
}
