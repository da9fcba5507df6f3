package ttsi.agent.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.tools.ToolCall;

/**
 * Everything the method did for one input: H's verdict, whether it adapted, the synthetic data (with every
 * raw generation), the training losses, each raw answer and its parsed calls, the final calls, and the time of
 * each stage in seconds (score, synthesize, train, answer, in the order they ran). One row of results-seed-S.jsonl.
 */
public record SampleOutcome(Uncertainty uncertainty, boolean adapted, DataSynthesizer.Result synthesis, double[] losses,
                            List<String> outputs, List<List<ToolCall>> parsedCalls, List<String> parseErrors,
                            List<ToolCall> finalCalls, String finalParseError, Map<String, Double> seconds) {

    /**
     * The outcome from the steps' records: g and t are null when the input was not selected. "synthesis" is what a
     * generator wrote (null when none was asked, as for the gold upper bound); "train" is timed only when T trained.
     */
    static SampleOutcome of(TestTimeMethod.Estimate h, TestTimeMethod.Synthesis g, TestTimeMethod.Adaptation t, TestTimeMethod.Answer y) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("score", h.seconds());
        DataSynthesizer.Result generated = g == null ? null : g.generated();
        if (generated != null) seconds.put("synthesize", g.seconds());
        boolean adapted = t != null && t.trained();
        if (adapted) seconds.put("train", t.seconds());
        seconds.put("answer", y.seconds());
        return new SampleOutcome(h.uncertainty(), adapted, generated, t == null ? new double[0] : t.losses(), y.outputs(), y.parsedCalls(),
                y.parseErrors(), y.parsedCalls().get(y.chosen()), y.parseErrors().get(y.chosen()), seconds);
    }
}
