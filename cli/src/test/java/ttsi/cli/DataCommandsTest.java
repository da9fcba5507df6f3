package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.tools.Json;

/** ttsi eval and ttsi data on a tiny Hammer-format folder. */
class DataCommandsTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path data() throws Exception {
        Path f = tmp.resolve("data/sealtool/hammer/sealtool.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, """
                [{"query": "Weather in Paris?", "tools": [{"name": "weather", "description": "d", "parameters": {"city": {"type": "str", "required": true}}}],
                  "answers": [{"name": "weather", "arguments": {"city": "Paris"}}]},
                 {"query": "Time in Rome?", "tools": [{"name": "time", "description": "d", "parameters": {"city": {"type": "str", "required": true}}}],
                  "answers": [{"name": "time", "arguments": {"city": "Rome"}}]}]
                """);
        return tmp.resolve("data");
    }

    @Test
    void evalPrintsMetricsAndWritesVerdicts() throws Exception {
        Path dir = data();
        Path preds = tmp.resolve("preds.jsonl");
        Files.writeString(preds, """
                {"id": "sealtool_0", "output": "[{\\"name\\": \\"weather\\", \\"arguments\\": {\\"city\\": \\"Paris\\"}}]"}
                {"id": "sealtool_1", "calls": [{"name": "time", "arguments": {"city": "Roma"}}]}
                """);
        Run r = run("eval", "--benchmark", "sealtool", "--data-dir", dir.toString(), "--predictions", preds.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("accuracy") && r.out().contains("50.00%  (1/2)"), r.out());
        assertTrue(r.out().contains("hammer.param_f1"), r.out());
        var lines = Files.readAllLines(tmp.resolve("preds.verdicts.jsonl"));
        assertEquals(2, lines.size());
        var second = Json.parse(lines.get(1));
        assertEquals(false, second.get("correct").asBoolean());
        assertEquals("time: argument city expected 'Rome', got 'Roma'", second.get("reason").asText());

        Run json = run("eval", "--benchmark", "sealtool", "--data-dir", dir.toString(), "--gold", "--format", "json");
        assertEquals(0, json.code(), json.err());
        assertEquals(1.0, Json.parse(json.out().strip()).at("/metrics/accuracy").asDouble());
    }

    @Test
    void errorsAreOneLine() throws Exception {
        Path dir = data();
        Run r = run("eval", "--benchmark", "nope", "--data-dir", dir.toString(), "--gold");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("ttsi: unknown benchmark 'nope'"), r.err());
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\": \"sealtool_0\", \"output\": 3}\n");
        Run b = run("eval", "--benchmark", "sealtool", "--data-dir", dir.toString(), "--predictions", bad.toString());
        assertEquals(1, b.code());
        assertTrue(b.err().contains("bad.jsonl:1") && !b.err().contains("\tat "), b.err());
        Run missing = run("eval", "--benchmark", "apibank-l1", "--data-dir", dir.toString(), "--gold");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("apibank_l1.json not found"), missing.err());
    }

    @Test
    void dataListAndShow() throws Exception {
        Path dir = data();
        Run l = run("data", "list", "--data-dir", dir.toString(), "--count");
        assertEquals(0, l.code(), l.err());
        assertTrue(l.out().lines().anyMatch(x -> x.startsWith("sealtool ") && x.contains("present") && x.contains("2 samples")), l.out());
        assertTrue(l.out().lines().anyMatch(x -> x.startsWith("bfcl-parallel") && x.contains("missing")), l.out());
        Run s = run("data", "show", "sealtool", "--index", "1", "--data-dir", dir.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("id: sealtool_1") && s.out().contains("[BEGIN OF QUERY]\nTime in Rome?"), s.out());
        Run c = run("data", "show", "sealtool", "--prompt", "chat", "--data-dir", dir.toString());
        assertTrue(c.out().contains("<tool_call>"), c.out());
    }
}
