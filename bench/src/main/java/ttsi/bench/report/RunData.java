package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

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

    public String inference() {
        return config.path("inference").asText("direct");
    }

    public List<Long> seeds() {
        return lines.stream().map(SampleLine::seed).distinct().sorted().toList();
    }

    public List<SampleLine> lines(long seed) {
        return lines.stream().filter(l -> l.seed() == seed).toList();
    }
}
