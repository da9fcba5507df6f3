package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import ttsi.agent.method.InferenceMode;
import ttsi.bench.score.InferenceScoring;

/**
 * The fields of one result line (results-seed-S.jsonl) that the report aggregates, plus the line itself for the
 * per-sample details. {@code selected}: the method acted on the input (synthesised pairs or adapted). {@code correct}:
 * the line's verdict under the run's inference mode ({@link InferenceScoring}), the same rule as the runner's
 * summary.json and metrics files.
 */
public record SampleLine(String id, int index, long seed, String benchmark, String method, double margin, boolean uncertain,
                         boolean selected, boolean adapted, boolean correct, Map<String, Double> seconds, ObjectNode json) {

    /** The stages the runner times, in order. */
    public static final java.util.List<String> STAGES = java.util.List.of("score", "synthesize", "train", "answer");

    /** Reads a result line scored by the mode the line names ("inference"), else by its own "correct". */
    public static SampleLine parse(ObjectNode o, long defaultSeed, int defaultIndex) {
        return parse(o, defaultSeed, defaultIndex, InferenceScoring.mode(o.path("inference").asText(null)));
    }

    /**
     * Reads a result line, scored under the run's inference mode ({@link InferenceScoring#correct}; null: the line's
     * own "correct"); {@code defaultSeed} and {@code defaultIndex} fill in missing fields.
     *
     * @throws IllegalArgumentException naming the missing or mistyped field
     */
    public static SampleLine parse(ObjectNode o, long defaultSeed, int defaultIndex, InferenceMode mode) {
        JsonNode id = o.get("id");
        if (id == null || !id.isValueNode() || id.isNull()) throw new IllegalArgumentException("no \"id\"");
        Boolean correct = InferenceScoring.correct(o, mode);
        if (correct == null) {
            throw new IllegalArgumentException("\"correct\" is missing or not true/false"
                    + (mode == null ? "" : " (and so is \"" + InferenceScoring.field(mode) + "\")"));
        }
        JsonNode u = o.path("uncertainty");
        double margin = u.path("margin").isNumber() || u.path("margin").isTextual() ? u.path("margin").asDouble(Double.NaN) : Double.NaN;
        if (!Double.isFinite(margin)) margin = Double.NaN;
        boolean adapted = o.path("adapted").asBoolean(false);
        JsonNode syn = o.get("synthesis");
        boolean selected = adapted || (syn != null && syn.isObject());
        Map<String, Double> secs = new LinkedHashMap<>();
        o.path("seconds").fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) secs.put(e.getKey(), e.getValue().asDouble());
        });
        return new SampleLine(id.asText(), o.path("index").isInt() ? o.get("index").asInt() : defaultIndex,
                o.path("seed").isIntegralNumber() ? o.get("seed").asLong() : defaultSeed,
                o.path("benchmark").asText(null), o.path("method").asText(null), margin, u.path("uncertain").asBoolean(false),
                selected, adapted, correct, secs, o);
    }

    public boolean hasMargin() {
        return !Double.isNaN(margin);
    }

    /** Seconds spent in a stage (0 when not recorded). */
    public double seconds(String stage) {
        return seconds.getOrDefault(stage, 0.0);
    }
}
