package ttsi.bench.score;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntBiFunction;
import ttsi.agent.tools.ToolCall;

/**
 * One-to-one pairing of predicted and gold calls with the same name, best-scoring pairs first. Within a name
 * every pair is allowed, so the number of pairs is min(#predicted, #gold) for that name.
 */
final class CallMatching {
    private CallMatching() {}

    /** pairs[i] = index of the gold call paired with predicted call i, or -1. */
    static int[] pair(List<ToolCall> pred, List<ToolCall> gold, ToIntBiFunction<ToolCall, ToolCall> score) {
        record Cand(int p, int g, int s) {}
        List<Cand> cands = new ArrayList<>();
        for (int i = 0; i < pred.size(); i++) {
            for (int j = 0; j < gold.size(); j++) {
                if (pred.get(i).name().equals(gold.get(j).name())) cands.add(new Cand(i, j, score.applyAsInt(pred.get(i), gold.get(j))));
            }
        }
        cands.sort(Comparator.comparingInt((Cand c) -> -c.s()).thenComparingInt(Cand::p).thenComparingInt(Cand::g));
        int[] out = new int[pred.size()];
        java.util.Arrays.fill(out, -1);
        boolean[] used = new boolean[gold.size()];
        for (Cand c : cands) {
            if (out[c.p()] < 0 && !used[c.g()]) {
                out[c.p()] = c.g();
                used[c.g()] = true;
            }
        }
        return out;
    }
}
