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
import ttsi.agent.json.Json;

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

    @Test
    void convertWritesFineTuningRecordsThatFinetuneReads() throws Exception {
        // A Seal-Tools training split in the official layout: samples, and the tool catalogue beside them.
        Path dir = tmp.resolve("st");
        Files.createDirectories(dir.resolve("sealtool"));
        Files.writeString(dir.resolve("sealtool/train.jsonl"), """
                {"id": "train-easy-0", "query": "Battery level of vehicle hXQ7.", "calling": [{"api": "getVehicleBatteryLevel", "parameters": {"vehicle_id": "hXQ7"}, "responses": ["API_call_0"]}]}
                {"id": "train-easy-1", "query": "Weather in Paris?", "calling": [{"api": "getWeather", "parameters": {"city": "Paris"}, "responses": ["API_call_0"]}]}
                """);
        Files.writeString(dir.resolve("sealtool/tool.jsonl"), """
                {"api_name": "getVehicleBatteryLevel", "api_description": "Battery level of a vehicle.", "parameters": {"type": "object", "properties": {"vehicle_id": {"type": "string", "description": "id"}}, "required": ["vehicle_id"]}, "responses": {}}
                {"api_name": "getWeather", "api_description": "Weather of a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "city"}}, "required": ["city"]}, "responses": {}}
                """);
        Path out = tmp.resolve("sft/train.jsonl");
        Run r = run("data", "convert", "sealtool-train", "--data-dir", dir.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 records written"), r.out());
        var lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        var rec = Json.parse(lines.get(1));
        assertEquals("Weather in Paris?", rec.path("messages").get(0).path("content").asText());
        var last = rec.path("messages").get(rec.path("messages").size() - 1);
        assertEquals("assistant", last.path("role").asText());
        assertTrue(last.toString().contains("getWeather") && last.toString().contains("Paris"), last.toString());
        assertEquals("getWeather", rec.path("tools").get(0).path("function").path("name").asText());
        // Refuses to overwrite; a bad format names the option.
        Run again = run("data", "convert", "sealtool-train", "--data-dir", dir.toString(), "--out", out.toString());
        assertTrue(again.code() != 0);
        assertTrue(again.err().contains("--out") && again.err().contains("--force"), again.err());
        Run bad = run("data", "convert", "sealtool-train", "--data-dir", dir.toString(), "--out", tmp.resolve("x.jsonl").toString(), "--format", "xml");
        assertTrue(bad.code() != 0 && bad.err().contains("xml"), bad.err());
    }
}
