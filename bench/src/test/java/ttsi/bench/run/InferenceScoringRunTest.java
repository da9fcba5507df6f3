package ttsi.bench.run;

import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.report.Report;
import ttsi.bench.report.RunLoader;
import ttsi.bench.score.InferenceScoring;

/**
 * Issue 14 item 4: a run's accuracy is the same number, by the same stated rule, in summary.json, every
 * metrics-seed-S.json, the report and the per-line rule. A scripted model answers five Seal-Tools-format samples (gold:
 * getA) with k = 3 answers per sample and seed, the first often wrong and a later one right. The expected numbers are
 * computed here from the script alone.
 */
class InferenceScoringRunTest {
    @TempDir
    Path tmp;

    static final int K = 3;
    static final List<Long> SEEDS = List.of(0L, 1L);
    /** Per sample, per seed: the k answers ("A" right, "B" wrong tool, "?" unparsable). */
    static final List<List<List<String>>> SCRIPT = List.of(
            List.of(List.of("B", "A", "A"), List.of("A", "B", "B")),
            List.of(List.of("B", "B", "A"), List.of("B", "B", "B")),
            List.of(List.of("A", "B", "B"), List.of("?", "?", "A")),
            List.of(List.of("B", "?", "B"), List.of("B", "A", "?")),
            List.of(List.of("?", "A", "B"), List.of("B", "B", "?")));

    static String query(int i) {
        return "Request number " + i + ": find the thing.";
    }

    static String text(String answer) {
        return switch (answer) {
            case "A" -> "[{\"name\": \"getA\", \"arguments\": {}}]";
            case "B" -> "[{\"name\": \"getB\", \"arguments\": {}}]";
            default -> "no idea, sorry";
        };
    }

    // ---- the expected verdicts, from the script only ----

    static boolean expected(InferenceMode mode, List<String> answers) {
        return switch (mode) {
            case DIRECT -> answers.get(0).equals("A"); // the greedy call gets the seed's first scripted answer
            case PASS_AT_K -> answers.contains("A");
            case MAJORITY -> {
                Map<String, Integer> votes = new HashMap<>();
                for (String a : answers) if (!a.equals("?")) votes.merge(a, 1, Integer::sum);
                int best = votes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
                String pick = answers.stream().filter(a -> !a.equals("?") && votes.get(a) == best).findFirst().orElse(answers.get(0));
                yield pick.equals("A");
            }
        };
    }

    static double expectedAccuracy(InferenceMode mode, int seedIndex) {
        int ok = 0;
        for (List<List<String>> sample : SCRIPT) if (expected(mode, sample.get(seedIndex))) ok++;
        return (double) ok / SCRIPT.size();
    }

    // ---- a scripted model: per prompt, hands out the seed's answers in order ----

    static final class ScriptedModel implements LanguageModel {
        final int perSeed;
        final Map<String, Integer> calls = new HashMap<>();

        ScriptedModel(int perSeed) {
            this.perSeed = perSeed;
        }

        @Override
        public String id() {
            return "scripted";
        }

        @Override
        public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
            String user = messages.getLast().content();
            int sample = -1;
            for (int i = 0; i < SCRIPT.size(); i++) if (user.equals(query(i))) sample = i;
            if (sample < 0) throw new IllegalStateException("unscripted prompt: " + user);
            int n = calls.merge(user, 1, Integer::sum) - 1;
            String answer = SCRIPT.get(sample).get(n / perSeed).get(n % perSeed);
            return new Completion(text(answer), "stop", 1, 1, 0);
        }
    }

    Path dataDir() throws Exception {
        Path dir = tmp.resolve("data");
        Path f = dir.resolve("sealtool/hammer/sealtool.json");
        Files.createDirectories(f.getParent());
        var items = Json.array();
        for (int i = 0; i < SCRIPT.size(); i++) {
            ObjectNode item = items.addObject();
            item.put("query", query(i));
            var tools = item.putArray("tools");
            for (String t : List.of("getA", "getB")) {
                ObjectNode tool = tools.addObject();
                tool.put("name", t);
                tool.put("description", "Gets " + t.substring(3) + ".");
                tool.putObject("parameters");
                tool.putArray("required");
            }
            item.putArray("answers").addObject().put("tool", "getA").putObject("parameters");
        }
        Files.writeString(f, items.toString());
        return dir;
    }

    RunConfig config(Path data, String inference) {
        return RunConfig.defaults(null, "sealtool", data, "base")
                    .withUncertainty(new UncertaintyEstimator.Options(0.95, false, UncertaintyEstimator.SingleTool.CERTAIN, K))
                    .withSynthesis(DataSynthesizer.Options.sampling(1, 1, 64, 0.7))
                    .withInference(new Answering(InferenceMode.of(inference), K, 0.7, 64))
                    .withIcl(new RunConfig.Icl(null, 2))
                    .withAdaptation(LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1).withLearningRate(1e-4))
                    .withTeacher(new RunConfig.Teacher(null, null))
                    .withSamples(SEEDS, 0);
    }

    static List<ObjectNode> lines(Path f) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) if (!l.isBlank()) out.add((ObjectNode) Json.MAPPER.readTree(l));
        return out;
    }

    /** Runs the mode and checks every place its accuracy is written against the script; returns the run directory. */
    Path runAndCheck(InferenceMode mode, String rulePrefix) throws Exception {
        Path data = dataDir();
        Path out = tmp.resolve("run-" + mode.key.replace("@", "at"));
        Map<Long, Integer> progress = new LinkedHashMap<>();
        var summary = new Runner(config(data, mode.key), out, new ScriptedModel(mode == InferenceMode.DIRECT ? 1 : K), null)
                .run(new Runner.Listener() {
                    @Override
                    public void sampleDone(long seed, int done, int total, int correct) {
                        progress.put(seed, correct);
                    }
                });

        double[] acc = new double[SEEDS.size()];
        for (int s = 0; s < SEEDS.size(); s++) acc[s] = expectedAccuracy(mode, s);
        double mean = (acc[0] + acc[1]) / 2;
        double std = Math.sqrt(((acc[0] - mean) * (acc[0] - mean) + (acc[1] - mean) * (acc[1] - mean)) / (2 - 1));

        // The per-line rule, on the lines written, against the script.
        for (int s = 0; s < SEEDS.size(); s++) {
            long seed = SEEDS.get(s);
            List<ObjectNode> rows = lines(out.resolve("results-seed-" + seed + ".jsonl"));
            assertEquals(SCRIPT.size(), rows.size());
            int ok = 0;
            for (ObjectNode row : rows) {
                int i = row.get("index").asInt();
                boolean want = expected(mode, SCRIPT.get(i).get(s));
                assertEquals(want, InferenceScoring.correct(row, mode), mode.key + " seed " + seed + " sample " + i + ": " + row);
                assertEquals(want, row.get("correct").asBoolean(), "the line's own \"correct\" follows the rule too");
                assertEquals(mode.key, row.get("inference").asText());
                if (want) ok++;
            }
            assertEquals(ok, progress.get(seed), "the progress bar counts by the rule");

            // metrics-seed-S.json: the same accuracy, and the rule written in the file.
            JsonNode m = Json.MAPPER.readTree(out.resolve("metrics-seed-" + seed + ".json").toFile());
            assertEquals(acc[s], m.get("metrics").get("accuracy").asDouble(), 1e-12, mode.key + " metrics seed " + seed);
            assertEquals(ok, m.get("counts").get("correct").asInt());
            assertTrue(m.get("scoring").asText().startsWith(rulePrefix), m.get("scoring").asText());
            assertEquals(mode.key, m.get("inference").asText());
        }

        // summary.json and what 'ttsi run' prints (Runner.Summary).
        JsonNode sj = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        for (int s = 0; s < SEEDS.size(); s++) {
            assertEquals(acc[s], sj.get("accuracy_per_seed").get(String.valueOf(SEEDS.get(s))).asDouble(), 1e-12);
            assertEquals(acc[s], summary.accuracy().get(SEEDS.get(s)), 1e-12);
        }
        assertEquals(mean, sj.get("accuracy_mean").asDouble(), 1e-12);
        assertEquals(std, sj.get("accuracy_std").asDouble(), 1e-12);
        assertEquals(mean, summary.mean(), 1e-12);
        assertEquals(std, summary.std(), 1e-12);
        assertTrue(sj.get("scoring").asText().startsWith(rulePrefix), sj.toString());
        assertEquals(summary.scoring(), sj.get("scoring").asText());
        assertEquals(mode == InferenceMode.DIRECT ? 1 : K, sj.get("answers_per_sample").asInt());

        // The report: the same numbers, and the rule written in report.md and report.html.
        Report report = Report.of(RunLoader.load(List.of(out)));
        assertTrue(report.problems().isEmpty(), report.problems().toString());
        Report.RunView v = report.runs().getFirst();
        for (int s = 0; s < SEEDS.size(); s++) assertEquals(acc[s], v.perSeed().get(SEEDS.get(s)), 1e-12);
        assertEquals(mean, v.accuracy().mean(), 1e-12);
        assertEquals(std, v.accuracy().std(), 1e-12);
        String pm = String.format(Locale.ROOT, "%.2f ± %.2f (2 seeds)", 100 * mean, 100 * std);
        String md = report.markdown();
        assertTrue(md.contains("| base | " + pm + " |"), pm + "\n" + md);
        assertTrue(md.contains("- base: " + rulePrefix), md);
        String html = report.html();
        assertTrue(html.contains("<li>base: " + rulePrefix), "rule in report.html");
        return out;
    }

    @Test
    void passAtKIsAnyOfKInSummaryMetricsAndReport() throws Exception {
        Path out = runAndCheck(InferenceMode.PASS_AT_K, "pass@k: a sample counts as correct when any of its k = 3 sampled answers is right");
        // The case of the issue: the first sampled answer alone scores less than pass@k here.
        for (int s = 0; s < SEEDS.size(); s++) {
            int first = 0;
            for (List<List<String>> sample : SCRIPT) if (sample.get(s).get(0).equals("A")) first++;
            assertNotEquals((double) first / SCRIPT.size(), expectedAccuracy(InferenceMode.PASS_AT_K, s));
        }
        // The metrics file says which answer its other metrics score.
        JsonNode m = Json.MAPPER.readTree(out.resolve("metrics-seed-0.json").toFile());
        assertTrue(m.get("other_metrics").asText().contains("the first sampled answer"), m.toString());
    }

    @Test
    void majorityIsTheMostCommonAnswerWithTiesToTheEarliestEverywhere() throws Exception {
        runAndCheck(InferenceMode.MAJORITY, "majority: a sample counts as correct when the majority answer of its k = 3 sampled answers is right");
    }

    @Test
    void directIsTheGreedyAnswerEverywhere() throws Exception {
        runAndCheck(InferenceMode.DIRECT, "direct: a sample counts as correct when its one greedy answer is right");
    }

    @Test
    void anOldRunWithoutTheModesFieldFallsBackToItsCorrectAndSaysSo() throws Exception {
        Path out = runAndCheck(InferenceMode.PASS_AT_K, "pass@k:");
        double before = Report.of(RunLoader.load(List.of(out))).runs().getFirst().accuracy().mean();
        // An older line format: no "any_correct" and no "inference" (run.json still says pass@k).
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("results-seed-")).toList()) {
                StringBuilder b = new StringBuilder();
                for (ObjectNode row : lines(f)) {
                    row.remove("any_correct");
                    row.remove("inference");
                    b.append(row).append('\n');
                }
                Files.writeString(f, b);
            }
        }
        var loaded = RunLoader.load(List.of(out));
        Report report = Report.of(loaded);
        assertEquals(before, report.runs().getFirst().accuracy().mean(), 1e-12, "\"correct\" of a pass@k line is any-of-k");
        String problems = loaded.problems().toString();
        assertTrue(problems.contains("10 result lines with no \"any_correct\" (the pass@k verdict): scored by their own \"correct\""), problems);

        // Without run.json either: the line's own "correct", and the rule says the mode is unknown.
        Files.delete(out.resolve("run.json"));
        loaded = RunLoader.load(List.of(out));
        report = Report.of(loaded);
        assertEquals(before, report.runs().getFirst().accuracy().mean(), 1e-12);
        assertNull(report.runs().getFirst().run().mode());
        assertTrue(report.markdown().contains("- base: inference mode not recorded"), report.markdown());
        assertTrue(loaded.problems().toString().contains("no inference mode recorded"), loaded.problems().toString());
    }

    @Test
    void theRuleReadsEachModesFieldAndFallsBackToCorrect() {
        ObjectNode row = Json.object();
        row.put("correct", true);
        row.put("final_correct", false);
        row.put("any_correct", true);
        assertEquals(false, InferenceScoring.correct(row, InferenceMode.DIRECT));
        assertEquals(false, InferenceScoring.correct(row, InferenceMode.MAJORITY));
        assertEquals(true, InferenceScoring.correct(row, InferenceMode.PASS_AT_K));
        assertEquals(true, InferenceScoring.correct(row, null), "unknown mode: the line's own verdict");
        row.remove("final_correct");
        assertEquals(true, InferenceScoring.correct(row, InferenceMode.DIRECT), "no final_correct: the line's own verdict");
        row.remove("correct");
        assertNull(InferenceScoring.correct(row, InferenceMode.DIRECT));
        assertNull(InferenceScoring.mode("best-of-n"));
        assertEquals(InferenceMode.PASS_AT_K, InferenceScoring.mode("pass@5"));
    }
}
