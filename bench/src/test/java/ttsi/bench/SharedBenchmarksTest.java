package ttsi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import ttsi.agent.tools.BenchmarkPrompt;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.PyLiteral;
import ttsi.agent.tools.ToolCall;
import ttsi.bench.data.Dataset;
import ttsi.bench.data.LoadIssue;
import ttsi.bench.data.Sample;
import ttsi.bench.score.EvalReport;
import ttsi.bench.score.Evaluation;
import ttsi.bench.score.Prediction;

/**
 * Every benchmark on the real files in shared/data (skipped when that folder is absent): record counts, no
 * record dropped, and the gold answers fed back, as calls and as model text in every format, score 100%.
 */
class SharedBenchmarksTest {
    private static Path data() {
        return SharedData.require("data");
    }

    @ParameterizedTest
    @CsvSource({
        "sealtool, 294, 0", "apibank-l1, 399, 0", "apibank-l2, 127, 0", "toolalpaca, 114, 0", "nexusraven, 318, 0",
        "sealtool-official, 1354, 0", "sealtool-in-domain, 700, 0", "sealtool-out-domain, 654, 0",
        "apibank-l1-official, 399, 0", "apibank-l2-official, 135, 0", "toolalpaca-real, 114, 4", "toolalpaca-simulated, 100, 32",
        "bfcl-simple_python, 400, 0", "bfcl-multiple, 200, 0", "bfcl-parallel, 200, 0", "bfcl-irrelevance, 240, 0"
    })
    void loadsAndGoldScoresFull(String name, int count, int repairs) {
        Benchmark b = Benchmarks.get(name);
        Dataset d = b.load(data());
        assertEquals(count, d.size(), name);
        assertEquals(0, d.skipped(), () -> d.issues().toString());
        assertEquals(repairs, d.issues().size(), () -> d.issues().toString());
        assertTrue(d.issues().stream().allMatch(i -> i.reason().contains("repaired")), () -> d.issues().stream().map(LoadIssue::toString).collect(Collectors.joining("\n")));
        for (Sample s : d.samples()) {
            assertFalse(s.conversation().isEmpty(), s.id());
            assertFalse(s.tools().isEmpty(), s.id());
            assertFalse(BenchmarkPrompt.render(s.conversation(), s.tools(), BenchmarkPrompt.Layout.USER_ONLY).getFirst().content().isEmpty());
            ChatToolPrompt.chatJson(s.conversation(), s.tools());
        }

        EvalReport gold = Evaluation.evaluate(b, d, Evaluation.goldPredictions(d));
        assertFull(name + " gold calls", gold);
        gold.metrics().forEach((k, v) -> {
            if (!k.contains("_script.")) assertEquals(1.0, v, 1e-12, name + " " + k);
        });

        assertFull(name + " JSON-list text", asOutputs(b, d, s -> BenchmarkPrompt.answer(s.gold())));
        assertFull(name + " <tool_call> text", asOutputs(b, d, s -> s.gold().isEmpty() ? "No function fits." : ChatToolPrompt.answer(s.gold())));
        // Python call syntax, where the names allow it (a few tools are called "requestFirst Aid Assistance", "[Optional]x").
        assertFull(name + " Python calls", asOutputs(b, d, s -> s.gold().stream().allMatch(c -> c.name().matches("[A-Za-z_][\\w.-]*"))
                ? "[" + s.gold().stream().map(SharedBenchmarksTest::python).collect(Collectors.joining(", ")) + "]"
                : BenchmarkPrompt.answer(s.gold())));
        switch (b.name()) {
            case "nexusraven" -> assertFull(name + " reference calls", asOutputs(b, d, s -> s.goldRaw().get("reference_call").asText()));
            case "apibank-l1-official", "apibank-l2-official" -> assertFull(name + " expected_output", asOutputs(b, d, s -> s.meta().get("expected_output").asText()));
            case "sealtool-official", "sealtool-in-domain", "sealtool-out-domain" ->
                    assertFull(name + " official answers", asOutputs(b, d, s -> PyLiteral.repr(s.goldRaw())));
            default -> { }
        }
    }

    @ParameterizedTest
    @CsvSource({"cve_cpe, 78", "emailrep, 38", "virustotal, 151", "toolalpaca, 51"})
    void nexusRavenSubTasks(String group, int count) {
        Dataset d = Benchmarks.get("nexusraven").load(data());
        assertEquals(count, d.samples().stream().filter(s -> group.equals(s.group())).count());
    }

    @ParameterizedTest
    @CsvSource({"in_domain-easy, 200", "in_domain-difficult, 500", "out_domain-easy, 94", "out_domain-difficult, 560"})
    void sealToolsSubsets(String group, int count) {
        Dataset d = Benchmarks.get("sealtool-official").load(data());
        assertEquals(count, d.samples().stream().filter(s -> group.equals(s.group())).count());
    }

    private static EvalReport asOutputs(Benchmark b, Dataset d, Function<Sample, String> render) {
        Map<String, Prediction> m = new LinkedHashMap<>();
        for (Sample s : d.samples()) m.put(s.id(), Prediction.ofOutput(s.id(), render.apply(s), s.tools()));
        return Evaluation.evaluate(b, d, m);
    }

    private static void assertFull(String what, EvalReport r) {
        List<String> wrong = r.results().stream().filter(x -> !x.correct()).limit(3)
                .map(x -> x.sample().id() + ": " + x.reason()).toList();
        assertEquals(1.0, r.accuracy(), () -> what + ": " + wrong);
    }

    private static String python(ToolCall c) {
        StringBuilder sb = new StringBuilder(c.name()).append('(');
        var it = c.arguments().fields();
        while (it.hasNext()) {
            var e = it.next();
            sb.append(e.getKey()).append('=').append(PyLiteral.repr(e.getValue()));
            if (it.hasNext()) sb.append(", ");
        }
        return sb.append(')').toString();
    }
}
