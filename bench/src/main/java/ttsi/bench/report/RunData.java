package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import ttsi.agent.method.InferenceMode;
import ttsi.bench.score.InferenceScoring;

/**
 * One run directory as read: run.json's config and provenance (missing nodes when run.json is absent or
 * damaged), the sample count summary.json expects (or null), and the result lines of every seed.
 */
public record RunData(Path dir, String benchmark, String method, JsonNode config, JsonNode provenance, Integer expectedSamples,
                      List<SampleLine> lines) {

    public RunData {
        lines = List.copyOf(lines);
    }

    /** The model's folder name (from provenance.model_path or config.model), or "?". */
    public String model() {
        String p = provenance.path("model_path").asText(config.path("model").asText(""));
        if (p.isBlank()) return "?";
        String name = Path.of(p).getFileName() == null ? p : Path.of(p).getFileName().toString();
        return name.isBlank() ? p : name;
    }

    /** The threshold of the run (config.tau, else the first line's), NaN when unknown. */
    public double tau() {
        JsonNode tau = config.path("uncertainty").path("tau").isNumber() ? config.path("uncertainty").get("tau") : config.path("tau");
        if (tau.isNumber()) return tau.asDouble();
        return lines.isEmpty() ? Double.NaN : lines.getFirst().json().path("uncertainty").path("tau").asDouble(Double.NaN);
    }

    /** The inference mode as recorded (run.json's config, else the result lines'), "direct" when neither says. */
    public String inference() {
        String recorded = recordedInference(config);
        if (recorded != null) return recorded;
        InferenceMode m = mode();
        return m == null ? "direct" : m.key;
    }

    /**
     * The inference mode the lines are scored by: run.json's config.inference, else the mode every result line names
     * ("inference"); null when unknown (each line's own "correct" is then used).
     */
    public InferenceMode mode() {
        String recorded = recordedInference(config);
        if (recorded != null) return InferenceScoring.mode(recorded);
        List<String> named = lines.stream().map(l -> l.json().path("inference").asText("")).distinct().toList();
        return named.size() == 1 ? InferenceScoring.mode(named.getFirst()) : null;
    }

    /** The answers per sample the rule is over: 1 for direct, else config.samples, else the first line's outputs; null when unknown. */
    public Integer answersPerSample() {
        InferenceMode m = mode();
        if (m == InferenceMode.DIRECT) return 1;
        JsonNode samples = config.path("inference").isObject() ? config.path("inference").path("samples") : config.path("samples");
        if (samples.isInt()) return samples.asInt();
        if (m != null && !lines.isEmpty() && lines.getFirst().json().path("outputs").isArray()) return lines.getFirst().json().get("outputs").size();
        return null;
    }

    /**
     * The inference mode run.json's config records, or null: config.inference.mode (since the settings were nested),
     * or config.inference (run directories written before).
     */
    static String recordedInference(JsonNode config) {
        JsonNode i = config.path("inference");
        if (i.isObject()) i = i.path("mode");
        return i.isTextual() ? i.asText() : null;
    }

    /** The scoring rule of this run in words ({@link InferenceScoring#rule}), as summary.json and the metrics files state it. */
    public String scoring() {
        return InferenceScoring.rule(mode(), answersPerSample());
    }

    public List<Long> seeds() {
        return lines.stream().map(SampleLine::seed).distinct().sorted().toList();
    }

    public List<SampleLine> lines(long seed) {
        return lines.stream().filter(l -> l.seed() == seed).toList();
    }
}
