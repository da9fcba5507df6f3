package ttsi.bench.score;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import ttsi.agent.tools.ToolCall;

/**
 * Per-sample exact match, the "accuracy" of the processed benchmark sets: the predicted calls equal the gold
 * calls as a multiset (any order), each call by name and by its arguments compared as Hammer compares them
 * ({@link Values#strArgs}: "" values dropped, str(value) equality). An unparsable answer is wrong.
 */
public final class ExactMatch {
    private ExactMatch() {}

    private record Canon(String name, Map<String, String> args) {
        static Canon of(ToolCall c) {
            return new Canon(c.name(), Values.strArgs(c.arguments()));
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(name).append('(');
            args.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ").append(k).append('=').append(Values.showStr(v)));
            return sb.append(')').toString();
        }
    }

    public static Verdict check(List<ToolCall> gold, Prediction p) {
        if (!p.parsed()) return Verdict.fail("unparsable output: " + p.parseError());
        List<Canon> g = new ArrayList<>(gold.stream().map(Canon::of).toList());
        List<Canon> q = new ArrayList<>(p.calls().stream().map(Canon::of).toList());
        for (var it = q.iterator(); it.hasNext(); ) {
            if (g.remove(it.next())) it.remove();
        }
        if (g.isEmpty() && q.isEmpty()) return Verdict.OK;
        List<String> reasons = new ArrayList<>();
        for (Canon want : g) {
            Canon near = q.stream().filter(c -> c.name().equals(want.name())).findFirst().orElse(null);
            if (near == null) {
                reasons.add("missing call " + want);
            } else {
                q.remove(near);
                reasons.add(want.name() + ": " + diff(want.args(), near.args()));
            }
        }
        for (Canon extra : q) reasons.add("unexpected call " + extra);
        return Verdict.fail(String.join("; ", reasons));
    }

    static String diff(Map<String, String> want, Map<String, String> got) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new TreeSet<>(want.keySet());
        keys.addAll(got.keySet());
        for (String k : keys) {
            String w = want.get(k), v = got.get(k);
            if (w == null) out.add("unexpected argument " + k + "=" + Values.showStr(v));
            else if (v == null) out.add("missing argument " + k + " (expected " + Values.showStr(w) + ")");
            else if (!w.equals(v)) out.add("argument " + k + " expected " + Values.showStr(w) + ", got " + Values.showStr(v));
        }
        return String.join(", ", out);
    }
}
