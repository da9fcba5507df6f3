package ttsi.bench.score;

import java.util.List;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * What a model answered for one sample: its raw text (null when calls were given directly) and the calls
 * parsed from it. {@code parseError} is set when the text held no readable call list; the calls are then empty,
 * and each scorer decides what an unreadable answer costs.
 */
public record Prediction(String id, String rawOutput, List<ToolCall> calls, String parseError) {
    public Prediction {
        calls = calls == null ? List.of() : List.copyOf(calls);
    }

    /** Calls given directly (no text to parse). */
    public static Prediction ofCalls(String id, List<ToolCall> calls) {
        return new Prediction(id, null, calls, null);
    }

    /** Parses the model's text; never throws. */
    public static Prediction ofOutput(String id, String output, List<ToolSpec> tools) {
        ToolCallParser.ParseResult r = ToolCallParser.parse(output, tools);
        return new Prediction(id, output, r.calls(), r.error());
    }

    public boolean parsed() {
        return parseError == null;
    }
}
