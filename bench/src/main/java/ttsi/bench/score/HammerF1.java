package ttsi.bench.score;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.tools.ToolCall;

/**
 * Hammer's API-name F1 and parameter F1 (evaluation/evaluate.py), accumulated over samples.
 * <ul>
 *   <li>API: predicted calls over all samples are the precision base, gold calls the recall base; an unparsable
 *       answer counts as one predicted call.</li>
 *   <li>Parameters: arguments whose value is not "" are counted on both sides; a gold argument is recovered when
 *       the paired predicted call has it with equal str(value).</li>
 * </ul>
 * The {@code script} mode copies the script's quirks: a predicted call is correct whenever its name is among the
 * gold names (duplicates count again), it is scored against the first same-name gold call that shares any
 * argument, and an empty-argument call matched by an empty prediction adds one correct parameter that neither
 * base counts (so parameter precision can exceed 1). The default mode pairs calls one to one and has none of
 * those quirks; gold answers fed back score exactly 1.
 */
public final class HammerF1 {
    private final boolean script;
    private final Prf api = new Prf(), param = new Prf();

    public HammerF1(boolean script) {
        this.script = script;
    }

    public void add(List<ToolCall> gold, Prediction p) {
        api.gold += gold.size();
        for (ToolCall g : gold) param.gold += Values.nonEmpty(g.arguments());
        if (!p.parsed()) {
            api.predicted += 1;
            return;
        }
        List<ToolCall> pred = p.calls();
        api.predicted += pred.size();
        for (ToolCall c : pred) param.predicted += Values.nonEmpty(c.arguments());
        if (script) addScript(gold, pred);
        else addPaired(gold, pred);
    }

    private void addPaired(List<ToolCall> gold, List<ToolCall> pred) {
        int[] pairs = CallMatching.pair(pred, gold, (a, b) -> recovered(b.arguments(), a.arguments()));
        for (int i = 0; i < pred.size(); i++) {
            if (pairs[i] < 0) continue;
            api.correct++;
            param.correct += recovered(gold.get(pairs[i]).arguments(), pred.get(i).arguments());
        }
    }

    private void addScript(List<ToolCall> gold, List<ToolCall> pred) {
        for (ToolCall c : pred) {
            if (gold.stream().noneMatch(g -> g.name().equals(c.name()))) continue;
            api.correct++;
            int best = 0;
            for (ToolCall g : gold) {
                if (!g.name().equals(c.name())) continue;
                int k = scriptCorrect(g.arguments(), c.arguments());
                if (k > best) {
                    best = k;
                    break;
                }
            }
            param.correct += best;
        }
    }

    /** Gold arguments (not "") that the prediction has with equal str(value). */
    static int recovered(ObjectNode gold, ObjectNode pred) {
        Map<String, String> g = Values.strArgs(gold), q = Values.strArgs(pred);
        int n = 0;
        for (var e : g.entrySet()) if (e.getValue().equals(q.get(e.getKey()))) n++;
        return n;
    }

    /** get_p_r_exact's third result, including its "empty equals empty counts 1" rule. */
    static int scriptCorrect(ObjectNode gold, ObjectNode pred) {
        if (gold.isEmpty() && Values.pyEquals(gold, pred)) return 1;
        Map<String, String> g = Values.strArgs(gold), q = Values.strArgs(pred);
        if (gold.isEmpty() && g.equals(q)) return 1;
        return recovered(gold, pred);
    }

    public Prf api() {
        return api;
    }

    public Prf param() {
        return param;
    }

    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "api_precision", api.precision());
        m.put(prefix + "api_recall", api.recall());
        m.put(prefix + "api_f1", api.f1());
        m.put(prefix + "param_precision", param.precision());
        m.put(prefix + "param_recall", param.recall());
        m.put(prefix + "param_f1", param.f1());
        return m;
    }
}
