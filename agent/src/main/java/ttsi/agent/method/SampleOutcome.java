package ttsi.agent.method;

import java.util.List;
import java.util.Map;
import ttsi.agent.tools.ToolCall;

/**
 * Everything the method did for one input: H's verdict, whether it adapted, the synthetic data (with every
 * raw generation), the training losses, each raw answer and its parsed calls, the final calls, and the time of
 * each stage in seconds (score, synthesize, train, answer).
 */
public record SampleOutcome(Uncertainty uncertainty, boolean adapted, DataSynthesizer.Result synthesis, double[] losses,
                            List<String> outputs, List<List<ToolCall>> parsedCalls, List<String> parseErrors,
                            List<ToolCall> finalCalls, String finalParseError, Map<String, Double> seconds) {}
