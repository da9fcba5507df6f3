package ttsi.toolshift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.tools.Json;
import ttsi.engine.train.TrainingExample;

/** The demo end to end on tiny models: every job runs, resumes, and the report is written. */
class DemoTest {
    @Test
    void runsEveryJobAndWritesTheReport(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(RecipeTest.SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        List<TrainingExample> examples = Recipe.examples(Recipe.records(data, false).subList(0, 16), tok, false);
        Path models = dir.resolve("models");
        for (String name : List.of("student", "teacher")) {
            Recipe.trainStage(RecipeTest.tiny(name, 7), 0, examples, tok, models.resolve(name), null);
            Files.writeString(models.resolve(name).resolve("training.json"), "{\"seed\": 3}\n");
        }
        Path out = dir.resolve("demo");
        Demo.Options o = new Demo.Options(models, out, 2, 2, List.of(1, 2), 0.95, 1, 1e-3, 1, 1e-4, 24);
        List<Path> files = new Demo(o).run(new Demo.Listener() {});
        assertTrue(files.stream().anyMatch(f -> f.endsWith("report.html")), files.toString());
        List<Demo.Job> jobs = Demo.jobs(List.of(1, 2));
        assertEquals(11, jobs.size());
        for (Demo.Job j : jobs) {
            Path run = out.resolve("runs").resolve(j.name());
            for (int seed = 0; seed < 2; seed++) {
                List<String> lines = Files.readAllLines(run.resolve("results-seed-" + seed + ".jsonl"));
                assertEquals(2, lines.size(), j.name());
            }
            JsonNode cfg = Json.MAPPER.readTree(run.resolve("run.json").toFile()).path("config");
            assertEquals(j.method(), cfg.path("method").asText());
            assertEquals(j.k(), cfg.path("k").asInt());
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
