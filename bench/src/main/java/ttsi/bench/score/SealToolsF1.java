package ttsi.bench.score;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.tools.ToolCall;

/**
 * Seal-Tools' tool and parameter P/R/F1 (calculate_score_ToolLearning) and its format accuracy (the share of
 * answers that parse). Gold parameters are all gold arguments; predicted parameters all predicted arguments of
 * parsed answers; a predicted argument is correct when the paired gold call has it with equal str(value).
 * An unparsable answer adds nothing to the predicted counts. The {@code script} mode pairs each predicted call
 * with the first gold call of the same name (so duplicates score against the same gold call), as the script
 * does; the default pairs one to one.
 */
public final class SealToolsF1 {
    private final boolean script;
    private final Prf tool = new Prf(), param = new Prf();
    private long samples, formatOk;

    public SealToolsF1(boolean script) {
        this.script = script;
    }

    public void add(List<ToolCall> gold, Prediction p) {
        samples++;
        tool.gold += gold.size();
        for (ToolCall g : gold) param.gold += g.arguments().size();
        if (!p.parsed()) return;
        formatOk++;
        List<ToolCall> pred = p.calls();
        int[] pairs = script ? firstSameName(pred, gold) : CallMatching.pair(pred, gold, (a, b) -> correctArgs(b, a));
        for (int i = 0; i < pred.size(); i++) {
            ToolCall c = pred.get(i);
            tool.predicted++;
            param.predicted += c.arguments().size();
            if (pairs[i] < 0) continue;
            tool.correct++;
            param.correct += correctArgs(gold.get(pairs[i]), c);
        }
    }

    private static int[] firstSameName(List<ToolCall> pred, List<ToolCall> gold) {
        int[] out = new int[pred.size()];
        for (int i = 0; i < pred.size(); i++) {
            out[i] = -1;
            for (int j = 0; j < gold.size(); j++) {
                if (gold.get(j).name().equals(pred.get(i).name())) {
                    out[i] = j;
                    break;
                }
            }
        }
        return out;
    }

    /** Predicted arguments present in the gold call with equal str(value). */
    static int correctArgs(ToolCall gold, ToolCall pred) {
        int n = 0;
        for (var it = pred.arguments().fields(); it.hasNext(); ) {
            var e = it.next();
            var g = gold.arguments().get(e.getKey());
            if (g != null && Values.str(g).equals(Values.str(e.getValue()))) n++;
        }
        return n;
    }

    public Prf tool() {
        return tool;
    }

    public Prf param() {
        return param;
    }

    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "format_accuracy", samples == 0 ? 0 : (double) formatOk / samples);
        m.put(prefix + "tool_precision", tool.precision());
        m.put(prefix + "tool_recall", tool.recall());
        m.put(prefix + "tool_f1", tool.f1());
        m.put(prefix + "param_precision", param.precision());
        m.put(prefix + "param_recall", param.recall());
        m.put(prefix + "param_f1", param.f1());
        return m;
    }
}
