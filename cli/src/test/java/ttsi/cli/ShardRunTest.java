package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;

/**
 * Issue 17 item 4: {@code ttsi run --shard I/N} on N = 3 shards, joined by {@code ttsi merge-shards}, gives the run
 * directory that one {@code ttsi run} process writes: the same rows (but their timings) in the same order, the same
 * metrics and summary. The gold upper bound on a tiny random model over 7 samples and 2 seeds (every input uncertain, so
 * each sample trains a LoRA adapter, answers and resets).
 */
class ShardRunTest {
    @TempDir
    static Path tmp;
    static Path model, data, single;

    @BeforeAll
    static void singleProcess() throws Exception {
        model = TinyRuns.model(tmp.resolve("model"));
        data = TinyRuns.dataDir(tmp.resolve("data"), 7);
        single = tmp.resolve("single");
        CliTest.Run r = run(single, null);
        assertEquals(0, r.code(), r.err());
    }

    static CliTest.Run run(Path out, String shard) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(TinyRuns.runArgs(model, data));
        args.addAll(List.of("--out", out.toString()));
        if (shard != null) args.addAll(List.of("--shard", shard));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void shardsMergedEqualOneProcess() throws Exception {
        List<String> dirs = new ArrayList<>(List.of("merge-shards", "--out", tmp.resolve("merged").toString()));
        for (int i = 2; i >= 0; i--) { // any order
            Path d = tmp.resolve("shard-" + i);
            CliTest.Run r = run(d, i + "/3");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("(shard " + i + "/3)"), r.out());
            List<ObjectNode> rows = TinyRuns.rows(d.resolve("results-seed-0.jsonl"));
            assertFalse(rows.isEmpty());
            for (ObjectNode row : rows) assertEquals(i, row.get("index").asInt() % 3, "a shard holds its own samples only");
            dirs.add(d.toString());
        }
        CliTest.Run m = CliTest.run(dirs.toArray(String[]::new));
        assertEquals(0, m.code(), m.err());
        Path merged = tmp.resolve("merged");
        for (long seed : List.of(0L, 1L)) {
            List<ObjectNode> a = TinyRuns.rows(single.resolve("results-seed-" + seed + ".jsonl")), b = TinyRuns.rows(merged.resolve("results-seed-" + seed + ".jsonl"));
            assertEquals(7, a.size());
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) assertEquals(TinyRuns.withoutTimings(a.get(i)), TinyRuns.withoutTimings(b.get(i)), "seed " + seed + " row " + i);
            assertEquals(read(single.resolve("metrics-seed-" + seed + ".json")), read(merged.resolve("metrics-seed-" + seed + ".json")));
        }
        assertTrue(TinyRuns.rows(single.resolve("results-seed-0.jsonl")).stream().anyMatch(r -> r.get("adapted").asBoolean()), "some samples were adapted");
        assertEquals(read(single.resolve("summary.json")), read(merged.resolve("summary.json")));
        assertEquals(read(single.resolve("run.json")).get("config"), read(merged.resolve("run.json")).get("config"), "run.json records the whole run");
        // The merged directory is a run like any other: resuming it with the run's options runs nothing more.
        CliTest.Run again = run(merged, null);
        assertEquals(0, again.code(), again.err());
        assertEquals(TinyRuns.rows(single.resolve("results-seed-1.jsonl")).size(), TinyRuns.rows(merged.resolve("results-seed-1.jsonl")).size());

        // Refusals, one line each: a missing shard, a repeated one, a bad --shard.
        CliTest.Run missing = CliTest.run("merge-shards", "--out", tmp.resolve("m2").toString(), tmp.resolve("shard-0").toString(), tmp.resolve("shard-2").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("missing [1/3]"), missing.err());
        CliTest.Run twice = CliTest.run("merge-shards", "--out", tmp.resolve("m3").toString(), tmp.resolve("shard-0").toString(), tmp.resolve("shard-0").toString());
        assertTrue(twice.err().contains("given twice"), twice.err());
        CliTest.Run notShard = CliTest.run("merge-shards", "--out", tmp.resolve("m4").toString(), single.toString());
        assertTrue(notShard.err().contains("not a shard"), notShard.err());
        CliTest.Run bad = run(tmp.resolve("bad"), "3/3");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--shard must be I/N"), bad.err());
    }

    @Test
    void anUnfinishedShardIsRefused() throws Exception {
        Path d = tmp.resolve("half");
        assertEquals(0, run(d, "1/2").code());
        // Drop the last row of seed 1, as a killed shard would leave it.
        Path f = d.resolve("results-seed-1.jsonl");
        List<String> lines = Files.readAllLines(f);
        Files.write(f, lines.subList(0, lines.size() - 1));
        Path other = tmp.resolve("other");
        assertEquals(0, run(other, "0/2").code());
        CliTest.Run m = CliTest.run("merge-shards", "--out", tmp.resolve("m5").toString(), other.toString(), d.toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("is not finished for seed 1"), m.err());
        // Rerunning the shard finishes it (resume), and then the merge succeeds.
        assertEquals(0, run(d, "1/2").code());
        CliTest.Run ok = CliTest.run("merge-shards", "--out", tmp.resolve("m6").toString(), other.toString(), d.toString());
        assertEquals(0, ok.code(), ok.err());
        for (long seed : List.of(0L, 1L)) {
            List<ObjectNode> a = TinyRuns.rows(single.resolve("results-seed-" + seed + ".jsonl")), b = TinyRuns.rows(tmp.resolve("m6").resolve("results-seed-" + seed + ".jsonl"));
            for (int i = 0; i < a.size(); i++) assertEquals(TinyRuns.withoutTimings(a.get(i)), TinyRuns.withoutTimings(b.get(i)));
        }
    }

    static JsonNode read(Path f) throws Exception {
        return Json.MAPPER.readTree(f.toFile());
    }
}
