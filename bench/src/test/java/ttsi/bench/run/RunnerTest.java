package ttsi.bench.run;

import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.engine.format.SharedFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/** Runs over real benchmark data (shared/data) with a tiny random model: plumbing, records, resume. */
class RunnerTest {
    @TempDir
    static Path tmp;
    static Path shared, modelDir;
    static EmbeddedModel model;

    @BeforeAll
    static void setUp() throws Exception {
        shared = SharedFolder.find("data") != null ? SharedFolder.find() : null;
        Assumptions.assumeTrue(shared != null, "shared/ not found beside the checkout; skipping");
        modelDir = tmp.resolve("tiny");
        RandomCheckpoint.writeTiny(modelDir, 5, shared.resolve("models/Qwen2.5-0.5B-Instruct"));
        model = new EmbeddedModel(Model.load(modelDir), LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static RunConfig config(String method, List<Long> seeds, int limit) {
        return config("sealtool", method, 0.95).withSamples(seeds, limit);
    }

    /** A run on the tiny model: every answer and synthesis at most 8 tokens, 2 answers sampled, 1 epoch; seed 0, 2 samples. */
    static RunConfig config(String benchmark, String method, double tau) {
        return RunConfig.defaults(modelDir, benchmark, shared.resolve("data"), method)
                .withUncertainty(new UncertaintyEstimator.Options(tau, false, UncertaintyEstimator.SingleTool.CERTAIN, 2))
                .withSynthesis(DataSynthesizer.Options.sampling(1, 1, 8, 0.7))
                .withInference(new Answering(InferenceMode.DIRECT, 2, 0.7, 8))
                .withIcl(new RunConfig.Icl(null, 2))
                .withAdaptation(LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1))
                .withSamples(List.of(0L), 2);
    }

    static List<JsonNode> lines(Path f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) if (!l.isBlank()) out.add(new ObjectMapper().readTree(l));
        return out;
    }

    @Test
    void recordsEveryFieldPerSampleAndSummarisesSeeds() throws Exception {
        Path out = tmp.resolve("run-gold");
        var summary = new Runner(config("gold-upper-bound", List.of(0L, 1L), 3), out, model, null).run(new Runner.Listener() {});
        assertEquals(2, summary.accuracy().size());
        for (long seed : List.of(0L, 1L)) {
            List<JsonNode> rows = lines(out.resolve("results-seed-" + seed + ".jsonl"));
            assertEquals(3, rows.size());
            for (JsonNode r : rows) {
                for (String f : List.of("id", "index", "seed", "uncertainty", "adapted", "synthesis", "train_losses", "outputs", "parsed_calls",
                        "calls", "parse_error", "gold", "correct", "seconds")) {
                    assertTrue(r.has(f), f + " in " + r);
                }
                assertEquals(5, r.get("uncertainty").get("candidates").size(), "Seal-Tools offers 5 tools");
                assertTrue(r.get("adapted").asBoolean(), "the gold upper bound always trains");
                assertEquals(1, r.get("train_losses").size());
                assertTrue(r.get("seconds").has("score") && r.get("seconds").has("train") && r.get("seconds").has("answer"));
            }
            assertTrue(Files.exists(out.resolve("metrics-seed-" + seed + ".json")));
        }
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals("gold-upper-bound", run.get("config").get("method").asText());
        assertEquals(64, run.get("provenance").get("model_hash").asText().length());
        assertTrue(run.get("provenance").get("data_files").has("sealtool/hammer/sealtool.json"));
        assertTrue(Files.exists(out.resolve("summary.json")));
    }

    @Test
    void aKilledRunResumesWithoutLossOrDuplicates() throws Exception {
        Path out = tmp.resolve("run-resume");
        new Runner(config("tt-si", List.of(3L), 2), out, model, null).run(new Runner.Listener() {});
        Path f = out.resolve("results-seed-3.jsonl");
        List<JsonNode> first = lines(f);
        assertEquals(2, first.size());
        assertTrue(first.get(0).has("synthesis"));
        // Simulate a crash in the middle of writing the third line, then resume with a larger limit... which is a
        // different configuration; so resume the same configuration after tearing the second line instead.
        String text = Files.readString(f);
        int cut = text.indexOf('\n') + 1 + 20;
        Files.writeString(f, text.substring(0, cut));
        new Runner(config("tt-si", List.of(3L), 2), out, model, null).run(new Runner.Listener() {});
        List<JsonNode> resumed = lines(f);
        assertEquals(2, resumed.size());
        assertEquals(first.get(0).toString(), resumed.get(0).toString(), "the finished sample is kept as it was");
        assertEquals(first.get(1).get("id"), resumed.get(1).get("id"));
        assertEquals(first.get(1).get("outputs"), resumed.get(1).get("outputs"), "seeded: the redone sample gives the same answer");
        var ids = new HashSet<String>();
        for (JsonNode r : resumed) assertTrue(ids.add(r.get("id").asText()), "no duplicates");
        // A different configuration in the same directory is refused, saying what differs.
        var e = assertThrows(IllegalArgumentException.class, () -> new Runner(config("base", List.of(3L), 2), out, model, null).run(new Runner.Listener() {}));
        assertTrue(e.getMessage().contains("config.method"), e.getMessage());
    }

    @Test
    void aSecondRunOnTheSameDirectoryIsRefusedAndWritesNothing() throws Exception {
        Path out = tmp.resolve("run-locked");
        Files.createDirectories(out);
        try (RunDirLock held = RunDirLock.acquire(out)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new Runner(config("base", List.of(0L), 2), out, model, null).run(new Runner.Listener() {}));
            assertTrue(e.getMessage().contains("is in use by another run (process " + ProcessHandle.current().pid() + ")"), e.getMessage());
        }
        try (var files = Files.list(out)) {
            assertEquals(List.of(".lock"), files.map(f -> f.getFileName().toString()).toList(), "only the holder's lock file");
        }
        new Runner(config("base", List.of(0L), 2), out, model, null).run(new Runner.Listener() {});
        assertEquals(2, lines(out.resolve("results-seed-0.jsonl")).size());
    }

    @Test
    void randomSelectionDrawsAsManyAsHMarksUncertain() throws Exception {
        Path out = tmp.resolve("run-random");
        new Runner(config("random", List.of(0L), 3), out, model, null).run(new Runner.Listener() {});
        JsonNode draw = new ObjectMapper().readTree(out.resolve("random-draw-seed-0.json").toFile());
        assertEquals(draw.get("uncertain_count").asInt(), draw.get("drawn").size());
        List<JsonNode> rows = lines(out.resolve("results-seed-0.jsonl"));
        long synthesized = rows.stream().filter(r -> !r.get("synthesis").isNull()).count();
        assertEquals(draw.get("drawn").size(), synthesized);
    }

    @Test
    void ttdTrainsOnTeacherPairsFromAnOpenAiCompatibleServer() throws Exception {
        // A stub teacher on loopback answers every synthesis request with one valid pair for the sample's first tool.
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        int[] requests = {0};
        server.createContext("/v1/chat/completions", ex -> {
            JsonNode req = new ObjectMapper().readTree(ex.getRequestBody());
            requests[0]++;
            String user = req.get("messages").get(1).get("content").asText();
            // The first tool of the listing in the prompt, called with a value of the right type for each parameter.
            String listing = user.substring(user.indexOf('[', user.indexOf("can call:")), user.indexOf("\n\nHere is a request"));
            JsonNode tool = new ObjectMapper().readTree(listing).get(0);
            var pair = new ObjectMapper().createArrayNode().addObject();
            pair.put("query", "Please run " + tool.get("name").asText() + " now.");
            var call = pair.putArray("answer").addObject();
            call.put("name", tool.get("name").asText());
            var args = call.putObject("arguments");
            tool.path("parameters").fields().forEachRemaining(e -> {
                switch (e.getValue().path("type").asText()) {
                    case "integer", "int" -> args.put(e.getKey(), 3);
                    case "number", "float" -> args.put(e.getKey(), 1.5);
                    case "boolean", "bool" -> args.put(e.getKey(), true);
                    case "array", "list" -> args.putArray(e.getKey());
                    case "object", "dict" -> args.putObject(e.getKey());
                    default -> args.put(e.getKey(), "x");
                }
            });
            String pairText = "[" + pair.toString() + "]";
            var body = new ObjectMapper().createObjectNode();
            var msg = body.putArray("choices").addObject().putObject("message");
            msg.put("role", "assistant");
            msg.put("content", pairText);
            byte[] bytes = new ObjectMapper().writeValueAsBytes(body);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        try {
            var teacher = new ttsi.agent.backend.OpenAiModel(ttsi.agent.backend.OpenAiModel.Config.of(
                    java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "stub-teacher"), k -> null);
            var cfg = config("sealtool", "tt-d", 1.01).withTeacher(new RunConfig.Teacher("http://stub", "stub-teacher"));
            Path out = tmp.resolve("run-ttd");
            new Runner(cfg, out, model, teacher).run(new Runner.Listener() {});
            for (JsonNode r : lines(out.resolve("results-seed-0.jsonl"))) {
                assertTrue(r.get("uncertainty").get("uncertain").asBoolean());
                assertEquals(1, r.get("synthesis").get("pairs").size(), r.toString());
                assertTrue(r.get("adapted").asBoolean(), "trained on the teacher's pair");
                assertEquals(1, r.get("train_losses").size());
            }
            assertEquals(2, requests[0]);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aTeacherThatIsDownIsRecordedPerSampleAndTheRunGoesOn() throws Exception {
        int deadPort;
        try (java.net.ServerSocket sock = new java.net.ServerSocket(0)) {
            deadPort = sock.getLocalPort();
        }
        var teacher = new ttsi.agent.backend.OpenAiModel(ttsi.agent.backend.OpenAiModel.Config.of(
                java.net.URI.create("http://127.0.0.1:" + deadPort), "stub-teacher").withRetries(0, java.time.Duration.ZERO), k -> null);
        var cfg = config("sealtool", "tt-d", 1.01).withTeacher(new RunConfig.Teacher("http://dead", "stub-teacher"));
        Path out = tmp.resolve("run-ttd-down");
        new Runner(cfg, out, model, teacher).run(new Runner.Listener() {});
        List<JsonNode> rows = lines(out.resolve("results-seed-0.jsonl"));
        assertEquals(2, rows.size(), "every sample answered");
        for (JsonNode r : rows) {
            assertTrue(!r.get("adapted").asBoolean(), r.toString());
            assertTrue(r.get("synthesis").get("rejections").get(0).asText().startsWith("teacher failed: "), r.toString());
            assertTrue(r.has("correct"));
        }
    }

    @Test
    void iclNeedsAKnownPool() {
        var cfg = config("nexusraven", "icl", 0.95).withSamples(List.of(0L), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> new Runner(cfg, tmp.resolve("icl"), model, null).run(new Runner.Listener() {}));
        assertTrue(e.getMessage().contains("--icl-pool"), e.getMessage());
        assertEquals("sealtool-dev", Runner.defaultPool("sealtool", tmp.resolve("nothing-here")));
        assertEquals("toolalpaca-train", Runner.defaultPool("toolalpaca", null));
        assertEquals("apibank-l2-train", Runner.defaultPool("apibank-l2-official", null));
        assertEquals(null, Runner.defaultPool("nexusraven", null));
        // A default pool that is not fetched: the message says how to get it or what to pass instead.
        var noPool = config("toolalpaca", "icl", 0.95).withSamples(List.of(0L), 1);
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Runner(noPool, tmp.resolve("icl2"), model, null).run(new Runner.Listener() {}));
        assertTrue(e2.getMessage().contains("ttsi data fetch toolalpaca-train") && e2.getMessage().contains("--icl-pool"), e2.getMessage());
    }
}
