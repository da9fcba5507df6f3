package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of one result line (results-seed-S.jsonl) that the report aggregates, plus the line itself for the
 * per-sample details. {@code selected}: the method acted on the input (synthesised pairs or adapted).
 */
public record SampleLine(String id, int index, long seed, String benchmark, String method, double margin, boolean uncertain,
                         boolean selected, boolean adapted, boolean correct, Map<String, Double> seconds, ObjectNode json) {

    /** The stages the runner times, in order. */
    public static final java.util.List<String> STAGES = java.util.List.of("score", "synthesize", "train", "answer");

    /**
     * Reads a result line; {@code defaultSeed} and {@code defaultIndex} fill in missing fields.
     *
     * @throws IllegalArgumentException naming the missing or mistyped field
     */
    public static SampleLine parse(ObjectNode o, long defaultSeed, int defaultIndex) {
        JsonNode id = o.get("id");
        if (id == null || !id.isValueNode() || id.isNull()) throw new IllegalArgumentException("no \"id\"");
        JsonNode correct = o.get("correct");
        if (correct == null || !correct.isBoolean()) throw new IllegalArgumentException("\"correct\" is missing or not true/false");
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
                selected, adapted, correct.asBoolean(), secs, o);
    }

    public boolean hasMargin() {
        return !Double.isNaN(margin);
    }

    /** Seconds spent in a stage (0 when not recorded). */
    public double seconds(String stage) {
        return seconds.getOrDefault(stage, 0.0);
    }
}
