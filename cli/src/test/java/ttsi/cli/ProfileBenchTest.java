package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.model.RandomCheckpoint;

/**
 * {@code ttsi bench engine --profile}: the prefill and decode time by op class, in a JVM of its own (the profile switch
 * is read once, when the class loads). Every op class of the forward pass is there, and the shares add up to 100%.
 */
class ProfileBenchTest {
    @TempDir
    Path tmp;

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void profileNamesEveryOpAndAddsUp() throws Exception {
        Path shape = tmp.resolve("config.json");
        Files.writeString(shape, RandomCheckpoint.TINY_QWEN2);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "ttsi.cli.Main",
                "bench", "engine", "--shape", shape.toString(), "--prefill", "40", "--decode", "4", "--train", "0", "--reps", "2", "--threads", "1",
                "--profile", "--format", "json"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        JsonNode r = CliTest.JSON.readTree(out);
        for (String phase : List.of("prefill_profile", "decode_profile")) {
            JsonNode prof = r.get(phase);
            assertTrue(prof != null && prof.isObject(), phase + " in " + out);
            double share = 0;
            for (String op : List.of("embed", "norm", "qkv", "rope", "attention", "o_proj", "residual", "gate_up", "swiglu", "down", "lm_head", "other")) {
                String v = prof.path(op).asText();
                assertTrue(v.matches("-?\\d+\\.\\d{4} s \\(-?\\d+\\.\\d%\\)"), phase + "." + op + ": " + v);
                share += Double.parseDouble(v.substring(v.indexOf('(') + 1, v.indexOf('%')));
            }
            assertEquals(100.0, share, 0.5, phase + ": " + prof);
        }
    }
}
