package ttsi.cli;

import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.engine.format.SharedFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.Runner;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.tensor.DType;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/** ttsi report end to end: real run directories from the Runner (tiny random model, Seal-Tools), through Main.run. */
class ReportCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> METHODS = List.of("base", "tt-si", "gold-upper-bound");

    @TempDir
    static Path tmp;
    static Path shared;
    static EmbeddedModel model;

    record Run(int code, String out, String err) {}

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void runs() throws Exception {
        shared = SharedFolder.find("data") != null ? SharedFolder.find() : null;
        Assumptions.assumeTrue(shared != null, "shared/ (data and models) not found beside the checkout; skipping");
        Path modelDir = tmp.resolve("tiny");
        RandomCheckpoint.write(modelDir, JSON.readTree("""
                {"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":16,"intermediate_size":32,
                 "num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"vocab_size":151936,
                 "rope_theta":1000000.0,"rms_norm_eps":1e-6,"tie_word_embeddings":true,"max_position_embeddings":8192,
                 "eos_token_id":151645,"hidden_act":"silu"}"""), DType.BF16, 0.2, 5, shared.resolve("models/Qwen2.5-0.5B-Instruct"));
        model = new EmbeddedModel(Model.load(modelDir), LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1));
        for (String method : METHODS) {
            var cfg = RunConfig.defaults(modelDir, "sealtool", shared.resolve("data"), method)
                    .withUncertainty(new UncertaintyEstimator.Options(0.95, false, UncertaintyEstimator.SingleTool.CERTAIN, 2))
                    .withSynthesis(DataSynthesizer.Options.sampling(1, 1, 8, 0.7))
                    .withInference(new Answering(InferenceMode.DIRECT, 2, 0.7, 8))
                    .withIcl(new RunConfig.Icl(null, 2))
                    .withAdaptation(LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1).withLearningRate(1e-4))
                    .withTeacher(new RunConfig.Teacher(null, null))
                    .withSamples(List.of(0L, 1L), 3);
            new Runner(cfg, tmp.resolve("runs/" + method), model, null).run(new Runner.Listener() {});
        }
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void reportsRealRunsWithAccuracyOverSeedsSweepStagesSamplesAndThePapersNumbers() throws Exception {
        Path out = tmp.resolve("report");
        Run r = cli("report", tmp.resolve("runs/base").toString(), tmp.resolve("runs/tt-si").toString(), tmp.resolve("runs/gold-upper-bound").toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 run(s), 0 problem(s), ") && r.out().contains(" warning(s): wrote"), r.out());
        String keep = System.getProperty("ttsi.report.keep"); // -Dttsi.report.keep=DIR keeps the report to look at
        if (keep != null && !keep.isBlank()) {
            Files.createDirectories(Path.of(keep));
            for (String f : List.of("report.md", "report.html")) Files.copy(out.resolve(f), Path.of(keep, f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(Files.size(out.resolve("report.html")) > 200_000, "Chart.js is inlined");

        assertTrue(md.contains("### sealtool (paper: SealTool)"), md);
        for (String method : METHODS) {
            // The accuracy the report recomputes from the result lines equals the runner's summary.json.
            JsonNode sum = JSON.readTree(tmp.resolve("runs/" + method + "/summary.json").toFile());
            String pm = String.format(Locale.ROOT, "%.2f ± %.2f (2 seeds)", 100 * sum.get("accuracy_mean").asDouble(), 100 * sum.get("accuracy_std").asDouble());
            assertTrue(md.contains("| " + method + " | " + pm + " |"), method + " " + pm + "\n" + md);
            assertTrue(md.contains("| sealtool / " + method + " | 6 |"), "time per stage row of " + method);
        }
        assertTrue(md.contains("| paper, Qwen2.5-1.5B-Instruct: accuracy % | paper, Qwen2.5-1.5B-Instruct: Δ vs base |"));
        assertTrue(md.contains("| 66.37 | – |"), "paper base beside ours");
        assertTrue(md.contains("| 78.89 | +12.52 (vs 66.37) |"), "paper upper bound beside ours");
        assertTrue(md.contains("## Published numbers (paper, Qwen2.5-1.5B-Instruct)"));
        assertTrue(md.contains("| SealTool | certain-only (H′) | 70.07 | Fig. 4 |"));

        // The gold run (every sample adapted) gets the simulated column from the base run; the base run does not.
        String allSweep = md.substring(md.indexOf("### sealtool / gold-upper-bound (run τ = 0.95)"));
        allSweep = allSweep.substring(0, allSweep.indexOf("\n### ", 5));
        assertTrue(allSweep.contains("Simulated with base run `" + tmp.resolve("runs/base") + "`"), allSweep);
        assertTrue(allSweep.contains("| simulated accuracy % |"), allSweep);
        assertTrue(allSweep.contains("| 0.00 | 0.00 | 0 / 6 |"), "τ = 0 selects nothing: " + allSweep);
        String baseSweep = md.substring(md.indexOf("### sealtool / base (run τ = 0.95)"));
        assertTrue(baseSweep.startsWith("### sealtool / base (run τ = 0.95)\n\nNo simulated accuracy: this is the base run"), baseSweep);

        // Histogram rows and per-sample links into report.html.
        assertTrue(md.contains("| sealtool / base | correct |"));
        assertTrue(md.contains("](report.html#s-0-0)"));
        assertTrue(md.contains("](report.html#s-2-5)"), "6 samples of the third run");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("id=\"s-2-5\""));
        assertTrue(html.contains("<h4>Synthetic pairs ("), "the tt-si run's synthesis attempts");
        assertTrue(html.contains("<h4>Train losses</h4>"));
        // No file problems; the random model's runs may only raise warnings (e.g. every answer unparsable).
        assertTrue(!md.contains("## Problems") || md.substring(md.indexOf("## Problems")).replaceFirst("## Problems\\s*", "").startsWith("### Warnings"),
                md.substring(Math.max(0, md.indexOf("## Problems"))));
    }

    @Test
    void damagedAndMissingInputsAreReportedWithoutStackTraces() throws Exception {
        Path copy = Files.createDirectories(tmp.resolve("damaged"));
        for (String f : List.of("run.json", "results-seed-0.jsonl", "results-seed-1.jsonl", "summary.json")) {
            Files.copy(tmp.resolve("runs/tt-si").resolve(f), copy.resolve(f));
        }
        Files.writeString(copy.resolve("run.json"), "{\"config\": {");
        List<String> lines = Files.readAllLines(copy.resolve("results-seed-1.jsonl"));
        Files.writeString(copy.resolve("results-seed-1.jsonl"), lines.get(0) + "\n" + "garbage\n" + lines.get(2) + "\n");
        Run r = cli("report", copy.toString(), tmp.resolve("missing-run").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(copy.resolve("run.json") + ": not valid JSON ("), r.err());
        assertTrue(r.err().contains(copy.resolve("results-seed-1.jsonl") + ": line 2: not valid JSON ("), r.err());
        assertTrue(r.err().contains(copy.resolve("results-seed-1.jsonl") + ": 2 of 3 samples"), r.err());
        assertTrue(r.err().contains(tmp.resolve("missing-run") + ": no such file or directory"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
        String md = Files.readString(copy.resolve("report.md"));
        assertTrue(md.contains("## Problems"));
        assertTrue(md.contains("| tt-si |"), "benchmark and method come from the result lines: " + md);
        assertTrue(md.contains("| 3/2 of 3 |"), "samples per seed, one seed short: " + md);

        Run none = cli("report", tmp.resolve("missing-run").toString());
        assertEquals(1, none.code());
        assertEquals(2, none.err().lines().count(), none.err());
        assertTrue(none.err().contains("ttsi: no run could be read from"), none.err());
    }
}
