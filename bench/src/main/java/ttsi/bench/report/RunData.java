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
        if (config.path("tau").isNumber()) return config.get("tau").asDouble();
        return lines.isEmpty() ? Double.NaN : lines.getFirst().json().path("uncertainty").path("tau").asDouble(Double.NaN);
    }

    /** The inference mode as recorded (run.json's config, else the result lines'), "direct" when neither says. */
    public String inference() {
        if (config.path("inference").isTextual()) return config.get("inference").asText();
        InferenceMode m = mode();
        return m == null ? "direct" : m.key;
    }

    /**
     * The inference mode the lines are scored by: run.json's config.inference, else the mode every result line names
     * ("inference"); null when unknown (each line's own "correct" is then used).
     */
    public InferenceMode mode() {
        if (config.path("inference").isTextual()) return InferenceScoring.mode(config.get("inference").asText());
        List<String> named = lines.stream().map(l -> l.json().path("inference").asText("")).distinct().toList();
        return named.size() == 1 ? InferenceScoring.mode(named.getFirst()) : null;
    }

    /** The answers per sample the rule is over: 1 for direct, else config.samples, else the first line's outputs; null when unknown. */
    public Integer answersPerSample() {
        InferenceMode m = mode();
        if (m == InferenceMode.DIRECT) return 1;
        if (config.path("samples").isInt()) return config.get("samples").asInt();
        if (m != null && !lines.isEmpty() && lines.getFirst().json().path("outputs").isArray()) return lines.getFirst().json().get("outputs").size();
        return null;
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
