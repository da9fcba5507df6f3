package ttsi.bench.score;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ttsi.agent.method.InferenceMode;

/**
 * The one rule that turns a result line (results-seed-S.jsonl) into a sample's verdict under the run's inference
 * mode. Every number printed or written (the {@code ttsi run} summary line, summary.json, metrics-seed-S.json,
 * report.md/html) counts a sample as correct by {@link #correct}, and states the rule with {@link #rule}:
 * <ul>
 *   <li>direct: the one greedy answer is right (line field {@code final_correct});</li>
 *   <li>majority: the majority answer of the k sampled answers is right ({@code final_correct}; the runner's final
 *       answer in this mode is the majority answer: the most common parsed call list, the order of parallel calls
 *       ignored; ties go to the earliest sampled; unparsable answers vote for nothing);</li>
 *   <li>pass@k: any of the k sampled answers is right ({@code any_correct}).</li>
 * </ul>
 * "Right" is the benchmark's primary check (exact match; NexusRaven's rule; BFCL's AST checker). A line without the
 * mode's field (written by another version, or by hand) falls back to its own {@code "correct"}, which the runner
 * writes under the run's mode; so does a run whose mode is unknown.
 */
public final class InferenceScoring {
    private InferenceScoring() {}

    /** The field of a result line that holds the verdict under this mode. */
    public static String field(InferenceMode mode) {
        return mode == InferenceMode.PASS_AT_K ? "any_correct" : "final_correct";
    }

    /**
     * A line's verdict under the mode: the mode's field ({@link #field}), else the line's {@code "correct"}; null when
     * neither is true/false. {@code mode} null (unknown): the line's {@code "correct"}.
     */
    public static Boolean correct(JsonNode row, InferenceMode mode) {
        if (row == null) return null;
        if (mode != null) {
            JsonNode v = row.get(field(mode));
            if (v != null && v.isBoolean()) return v.booleanValue();
        }
        JsonNode c = row.get("correct");
        return c != null && c.isBoolean() ? c.booleanValue() : null;
    }

    /** Whether the line has the mode's own field, so that {@link #correct} did not fall back to "correct". */
    public static boolean hasField(JsonNode row, InferenceMode mode) {
        return mode != null && row != null && row.path(field(mode)).isBoolean();
    }

    /** The mode named by a config or line value ("direct", "majority", "pass@k" and their aliases); null when unknown. */
    public static InferenceMode mode(String key) {
        if (key == null || key.isBlank()) return null;
        try {
            return InferenceMode.of(key.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The number of answers the rule is over: 1 for direct, else the run's --samples (null: unknown). */
    public static Integer answers(InferenceMode mode, Integer samples) {
        return mode == InferenceMode.DIRECT ? Integer.valueOf(1) : samples;
    }

    /** The rule in words, as written into summary.json, metrics-seed-S.json and the report. {@code k}: null when unknown. */
    public static String rule(InferenceMode mode, Integer k) {
        String ks = k == null ? "k" : "k = " + k;
        if (mode == null) {
            return "inference mode not recorded: a sample counts as correct when its result line says \"correct\": true"
                    + " (the runner writes it by the run's mode: direct and majority the final answer, pass@k any of the k answers)";
        }
        return switch (mode) {
            case DIRECT -> "direct: a sample counts as correct when its one greedy answer is right (the benchmark's check)";
            case MAJORITY -> "majority: a sample counts as correct when the majority answer of its " + ks + " sampled answers is right"
                    + " (the benchmark's check); the majority answer is the most common parsed call list (order of parallel calls"
                    + " ignored), ties go to the earliest sampled, unparsable answers vote for nothing (all unparsable: the first)";
            case PASS_AT_K -> "pass@k: a sample counts as correct when any of its " + ks + " sampled answers is right (the benchmark's check)";
        };
    }

    /** Which answer the metrics other than accuracy and group accuracy (parsed, F1, exact_match) score. */
    public static String otherMetrics(InferenceMode mode) {
        if (mode == null) return "the final answer of each line";
        return switch (mode) {
            case DIRECT -> "the greedy answer";
            case MAJORITY -> "the majority answer";
            case PASS_AT_K -> "the first sampled answer";
        };
    }

    /**
     * The evaluation with its accuracy, group accuracies, correct count and per-sample verdicts replaced by the rule's
     * (verdicts: sample id to the rule's verdict, from {@link #correct}; a sample without one is incorrect). The other
     * metrics stay those of the final answers (see {@link #otherMetrics}).
     */
    public static EvalReport rescore(EvalReport r, Map<String, Boolean> verdicts) {
        List<SampleResult> results = new ArrayList<>();
        Map<String, int[]> groups = new LinkedHashMap<>();
        r.groups().keySet().forEach(k -> groups.put(k, new int[2]));
        int correct = 0;
        for (SampleResult s : r.results()) {
            boolean ok = Boolean.TRUE.equals(verdicts.get(s.sample().id()));
            if (ok) correct++;
            if (s.sample().group() != null) {
                int[] g = groups.computeIfAbsent(s.sample().group(), k -> new int[2]);
                g[0]++;
                if (ok) g[1]++;
            }
            results.add(new SampleResult(s.sample(), s.prediction(), s.missing(), ok, ok ? null : s.reason(), s.checks()));
        }
        int n = r.counts().samples();
        Map<String, Double> metrics = new LinkedHashMap<>(r.metrics());
        metrics.put("accuracy", n == 0 ? 0 : (double) correct / n);
        Map<String, EvalReport.Group> g = new LinkedHashMap<>();
        groups.forEach((k, v) -> g.put(k, new EvalReport.Group(v[0], v[1])));
        EvalReport.Counts c = r.counts();
        return new EvalReport(r.benchmark(), metrics, g, new EvalReport.Counts(c.samples(), c.predicted(), c.missing(), c.unparsable(), correct),
                results, r.unknownIds());
    }

    /** Lower-case key of a mode for files ("direct", "majority", "pass@k"), or "unknown". */
    public static String key(InferenceMode mode) {
        return mode == null ? "unknown" : mode.key.toLowerCase(Locale.ROOT);
    }
}
