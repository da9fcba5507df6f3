package ttsi.bench.score;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCall;
import ttsi.bench.data.Sample;

/**
 * The verdicts of one sample: {@code correct} is the benchmark's primary check (its accuracy), {@code checks}
 * every per-sample check run (name -> verdict).
 */
public record SampleResult(Sample sample, Prediction prediction, boolean missing, boolean correct, String reason,
                           Map<String, Verdict> checks) {
    public SampleResult {
        checks = new LinkedHashMap<>(checks);
    }

    /** One line of the verdicts file. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", sample.id());
        if (sample.group() != null) o.put("group", sample.group());
        o.put("correct", correct);
        if (reason != null) o.put("reason", reason);
        ObjectNode cs = o.putObject("checks");
        checks.forEach((k, v) -> cs.put(k, v.correct()));
        ObjectNode reasons = Json.object();
        checks.forEach((k, v) -> {
            if (!v.correct() && v.reason() != null) reasons.put(k, v.reason());
        });
        if (!reasons.isEmpty()) o.set("reasons", reasons);
        if (missing) o.put("missing", true);
        if (prediction.parseError() != null) o.put("parse_error", prediction.parseError());
        o.set("predicted", calls(prediction.calls()));
        o.set("gold", calls(sample.gold()));
        if (prediction.rawOutput() != null) o.put("output", prediction.rawOutput());
        return o;
    }

    private static ArrayNode calls(List<ToolCall> cs) {
        ArrayNode a = Json.array();
        cs.forEach(c -> a.add(c.toJson()));
        return a;
    }
}
