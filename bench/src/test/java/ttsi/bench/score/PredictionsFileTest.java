package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.Fixtures.call;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.bench.Benchmarks;
import ttsi.bench.Fixtures;
import ttsi.bench.data.DataFormatException;

class PredictionsFileTest {
    @TempDir
    Path tmp;

    @Test
    void callsAndOutputs() throws Exception {
        var data = Benchmarks.get("nexusraven").load(Fixtures.dataDir());
        Path f = tmp.resolve("p.jsonl");
        Files.writeString(f, """
                {"id": "virustotal_0", "calls": [{"name": "vt_get_domain_report", "arguments": {"domain": "bing.com", "x_apikey": "k1"}}]}

                {"id": "virustotal_1", "output": "vt_get_comments('8.8.8.8', x_apikey='k2', limit=2)"}
                {"id": "other", "output": "nothing here"}
                """);
        var p = PredictionsFile.read(f, data.byId());
        assertEquals(3, p.size());
        assertNull(p.get("virustotal_0").rawOutput());
        // Positional arguments bind with the sample's tools.
        assertEquals(List.of(call("vt_get_comments", "{\"ip\": \"8.8.8.8\", \"x_apikey\": \"k2\", \"limit\": 2}")), p.get("virustotal_1").calls());
        assertTrue(p.get("other").parseError().startsWith("no tool call found"));
        var report = Evaluation.evaluate(Benchmarks.get("nexusraven"), data, p);
        assertEquals(1.0, report.accuracy());
        assertEquals(List.of("other"), report.unknownIds());
    }

    @Test
    void badLinesNameTheLine() throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, "{\"id\": \"a\", \"calls\": []}\n{\"id\": \"b\", \"output\": \n");
        var e = assertThrows(DataFormatException.class, () -> PredictionsFile.read(f, java.util.Map.of()));
        assertTrue(e.getMessage().contains("bad.jsonl:2") && e.getMessage().contains("not valid JSON"), e.getMessage());
        Files.writeString(f, "{\"id\": \"a\", \"calls\": []}\n{\"id\": \"a\", \"calls\": []}\n");
        assertTrue(assertThrows(DataFormatException.class, () -> PredictionsFile.read(f, java.util.Map.of())).getMessage().contains("appears twice"));
        Files.writeString(f, "{\"calls\": []}\n");
        assertTrue(assertThrows(DataFormatException.class, () -> PredictionsFile.read(f, java.util.Map.of())).getMessage().contains("no \"id\""));
        Files.writeString(f, "{\"id\": \"a\"}\n");
        assertTrue(assertThrows(DataFormatException.class, () -> PredictionsFile.read(f, java.util.Map.of())).getMessage().contains("needs \"calls\" or \"output\""));
    }
}
