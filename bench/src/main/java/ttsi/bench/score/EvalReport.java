package ttsi.bench.score;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;

/**
 * The scores of one benchmark run: every metric (fractions in [0, 1], "accuracy" first), accuracy per group
 * (sub-task, category), counts, and the per-sample results.
 */
public record EvalReport(String benchmark, Map<String, Double> metrics, Map<String, Group> groups, Counts counts,
                         List<SampleResult> results, List<String> unknownIds) {
    /** Accuracy of one group. */
    public record Group(int samples, int correct) {
        public double accuracy() {
            return samples == 0 ? 0 : (double) correct / samples;
        }
    }

    /** samples: in the dataset; predicted: with a prediction; missing: without; unparsable: answers that did not parse. */
    public record Counts(int samples, int predicted, int missing, int unparsable, int correct) {}

    public EvalReport {
        metrics = new LinkedHashMap<>(metrics);
        groups = new LinkedHashMap<>(groups);
        results = List.copyOf(results);
        unknownIds = List.copyOf(unknownIds);
    }

    public double accuracy() {
        return metrics.getOrDefault("accuracy", 0.0);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("benchmark", benchmark);
        ObjectNode m = o.putObject("metrics");
        metrics.forEach(m::put);
        if (!groups.isEmpty()) {
            ObjectNode g = o.putObject("groups");
            groups.forEach((k, v) -> {
                ObjectNode x = g.putObject(k);
                x.put("samples", v.samples());
                x.put("correct", v.correct());
                x.put("accuracy", v.accuracy());
            });
        }
        ObjectNode c = o.putObject("counts");
        c.put("samples", counts.samples());
        c.put("predicted", counts.predicted());
        c.put("missing", counts.missing());
        c.put("unparsable", counts.unparsable());
        c.put("correct", counts.correct());
        c.put("unknown_ids", unknownIds.size());
        return o;
    }
}
