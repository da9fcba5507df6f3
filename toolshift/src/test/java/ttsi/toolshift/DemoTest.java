package ttsi.toolshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;

/** The demo end to end on tiny models: every job runs, resumes, and the report is written. */
class DemoTest {
    @Test
    void runsEveryJobAndWritesTheReport(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(RecipeTest.SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        Path models = dir.resolve("models");
        for (String name : List.of("student", "teacher")) {
            Recipe.Spec tiny = RecipeTest.tiny(name, 7, name.equals("teacher"));
            Recipe.train(new Recipe.Spec(name, tiny.shape(), tiny.phases(), tiny.batchTokens(), tiny.learningRate(), tiny.privileged(), 7, 100),
                    data, tok, models.resolve(name), 2, null);
            Files.writeString(models.resolve(name).resolve("training.json"), "{\"world_seed\": 3}\n");
        }
        Path out = dir.resolve("demo");
        Demo.Options o = new Demo.Options(models, out, 2, 2, List.of(1, 2), 0.95, 1, 1e-3, 1, 1e-4, 24);
        List<Path> files = new Demo(o).run(new Demo.Listener() {});
        assertTrue(files.stream().anyMatch(f -> f.endsWith("report.html")), files.toString());
        List<Demo.Job> jobs = Demo.jobs(List.of(1, 2));
        assertEquals(12, jobs.size());
        for (Demo.Job j : jobs) {
            Path run = out.resolve("runs").resolve(j.name());
            // A model answering alone is greedy: one seed; the others run every seed.
            int seeds = j.method().equals("base") || j.method().equals("icl") ? 1 : 2;
            for (int seed = 0; seed < 2; seed++) {
                Path results = run.resolve("results-seed-" + seed + ".jsonl");
                assertEquals(seed < seeds, Files.isRegularFile(results), j.name() + " seed " + seed);
                if (seed < seeds) assertEquals(2, Files.readAllLines(results).size(), j.name());
            }
            JsonNode cfg = Json.MAPPER.readTree(run.resolve("run.json").toFile()).path("config");
            assertEquals(j.method(), cfg.path("method").asText());
            assertEquals(j.k(), cfg.path("synthesis").path("k").asInt());
            assertEquals(Demo.LORA.r(), cfg.path("lora").path("r").asInt(), "the LoRA the student is built with");
            assertEquals(j.sft(), cfg.path("model").asText().contains("sft-model"), j.name());
        }
        assertTrue(Files.isRegularFile(out.resolve("sft-model/model.safetensors")));
        String md = Files.readString(out.resolve("report/report.md"));
        for (String m : List.of("tt-si", "tt-d", "gold-upper-bound", "certain-only")) assertTrue(md.contains(m), m);
        // Started again, nothing is redone: every result file is unchanged.
        long before = Files.getLastModifiedTime(out.resolve("runs/tt-si/results-seed-0.jsonl")).toMillis();
        new Demo(o).run(new Demo.Listener() {});
        assertEquals(before, Files.getLastModifiedTime(out.resolve("runs/tt-si/results-seed-0.jsonl")).toMillis());
        assertEquals(2, Files.readAllLines(out.resolve("runs/tt-si/results-seed-0.jsonl")).size());
    }
}
