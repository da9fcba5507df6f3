package ttsi.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;
import ttsi.cli.Main;
import ttsi.cli.TinyRuns;

/**
 * Issue 17: the Spark job in local mode ({@code local[2]}: two tasks at a time, so two models in the JVM) writes the run
 * directory that {@code ttsi run} writes in one process, row by row (but the timings); a job killed midway and run
 * again finishes with every sample exactly once.
 */
class SparkRunTest {
    @TempDir
    static Path tmp;
    static Path model, data;

    @BeforeAll
    static void tinyModelAndData() throws Exception {
        model = TinyRuns.model(tmp.resolve("model"));
        data = TinyRuns.dataDir(tmp.resolve("data"), 24);
    }

    static List<String> args(Path out, String limit) {
        List<String> a = new ArrayList<>(List.of("run"));
        a.addAll(TinyRuns.runArgs(model, data));
        a.addAll(List.of("--limit", limit, "--out", out.toString()));
        return a;
    }

    static SparkConf local() {
        return new SparkConf().setMaster("local[2]").setAppName("ttsi-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    }

    /** The single-process run of the same options (ttsi run). */
    static Path singleProcess(String name, String limit) {
        Path out = tmp.resolve(name);
        List<String> a = args(out, limit);
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(a.toArray(String[]::new)));
        } finally {
            System.setOut(old);
        }
        return out;
    }

    static void assertSameRun(Path expected, Path actual, int samples) throws Exception {
        for (long seed : List.of(0L, 1L)) {
            List<ObjectNode> a = TinyRuns.rows(expected.resolve("results-seed-" + seed + ".jsonl"));
            List<ObjectNode> b = TinyRuns.rows(actual.resolve("results-seed-" + seed + ".jsonl"));
            assertEquals(samples, a.size());
            assertEquals(samples, b.size(), "every sample once, seed " + seed);
            for (int i = 0; i < samples; i++) {
                assertEquals(i, b.get(i).get("index").asInt(), "sample order");
                assertEquals(TinyRuns.withoutTimings(a.get(i)), TinyRuns.withoutTimings(b.get(i)), "seed " + seed + " row " + i);
            }
            assertEquals(read(expected.resolve("metrics-seed-" + seed + ".json")), read(actual.resolve("metrics-seed-" + seed + ".json")));
        }
        assertEquals(read(expected.resolve("summary.json")), read(actual.resolve("summary.json")));
        assertEquals(read(expected.resolve("run.json")).get("config"), read(actual.resolve("run.json")).get("config"));
        assertFalse(Files.exists(actual.resolve("parts")), "the per-sample parts are gone once the results files hold them");
    }

    @Test
    void sparkJobEqualsOneProcess() throws Exception {
        Path single = singleProcess("single-8", "8");
        Path out = tmp.resolve("spark-8");
        assertEquals(0, SparkRun.run(local(), args(out, "8").toArray(String[]::new)));
        assertSameRun(single, out, 8);
        assertTrue(TinyRuns.rows(out.resolve("results-seed-0.jsonl")).stream().anyMatch(r -> r.get("adapted").asBoolean()), "samples were adapted");
        // Run again: everything is there, nothing runs, nothing changes.
        List<ObjectNode> before = TinyRuns.rows(out.resolve("results-seed-1.jsonl"));
        assertEquals(0, SparkRun.run(local(), args(out, "8").toArray(String[]::new)));
        assertEquals(before, TinyRuns.rows(out.resolve("results-seed-1.jsonl")));
        // A different run in the same directory is refused, as ttsi run refuses it.
        List<String> other = args(out, "8");
        other.addAll(List.of("--epochs", "2"));
        assertEquals(1, SparkRun.run(local(), other.toArray(String[]::new)));
    }

    @Test
    void randomSelectionDrawsOncePerSeedAndMatchesOneProcess() throws Exception {
        Path single = tmp.resolve("single-random");
        List<String> a = random(args(single, "6"));
        assertEquals(0, Main.run(a.toArray(String[]::new)));
        Path out = tmp.resolve("spark-random");
        List<String> b = random(args(out, "6"));
        assertEquals(0, SparkRun.run(local(), b.toArray(String[]::new)));
        for (long seed : List.of(0L, 1L)) {
            assertEquals(read(single.resolve("random-draw-seed-" + seed + ".json")), read(out.resolve("random-draw-seed-" + seed + ".json")));
        }
        assertSameRun(single, out, 6);
    }

    @Test
    void aKilledJobRunAgainLosesAndRepeatsNothing() throws Exception {
        Path single = singleProcess("single-24", "24");
        Path out = tmp.resolve("spark-killed");
        // The job in its own JVM (what spark-submit starts), killed once a few samples are done.
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        cmd.addAll(List.of("-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1",
                "-cp", System.getProperty("java.class.path"), SparkRun.class.getName()));
        cmd.addAll(args(out, "24"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        Path parts0 = out.resolve("parts/seed-0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive() && SparkRun.Parts.indices(out, 0).size() < 3) Thread.sleep(20);
        assertTrue(p.isAlive(), "the job was still running when killed: " + Files.readString(tmp.resolve("killed.log")));
        p.destroyForcibly().waitFor();
        int done = SparkRun.Parts.indices(out, 0).size();
        assertTrue(done >= 3 && done < 24, "killed midway: " + done + " parts in " + parts0);
        assertFalse(Files.exists(out.resolve("results-seed-0.jsonl")), "nothing assembled yet");

        assertEquals(0, SparkRun.run(local(), args(out, "24").toArray(String[]::new)));
        assertSameRun(single, out, 24);
    }

    @Test
    void aTaskThatFailsEndsTheJobWithOneLine() throws Exception {
        // A model folder whose weights cannot be read: the executors fail to load it, the driver says why in one line.
        Path broken = tmp.resolve("broken-model");
        Files.createDirectories(broken);
        Files.copy(model.resolve("config.json"), broken.resolve("config.json"));
        Files.writeString(broken.resolve("model.safetensors"), "not safetensors");
        List<String> a = args(tmp.resolve("spark-broken"), "2");
        a.set(a.indexOf("--model") + 1, broken.toString());
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = SparkRun.run(local(), a.toArray(String[]::new));
        } finally {
            System.setErr(old);
        }
        assertEquals(1, code);
        String line = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("ttsi-spark: the job failed")).findFirst().orElse("");
        assertTrue(line.contains("model.safetensors"), err.toString(StandardCharsets.UTF_8));
    }

    /** The options with --method random and --tau 0.5 (some inputs certain, so the draw is a real subset). */
    static List<String> random(List<String> args) {
        args.set(args.indexOf("--method") + 1, "random");
        args.set(args.indexOf("--tau") + 1, "0.5");
        return args;
    }

    static JsonNode read(Path f) throws Exception {
        return Json.MAPPER.readTree(f.toFile());
    }
}
