package ttsi.bench.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Sample;

/**
 * NexusRaven's rule (raven/eval/evaluator.py): the predicted and the reference call are both bound to the
 * function's Python signature, so unspecified arguments take their defaults (None) and positional arguments
 * take their parameter's name; correct = same function name and equal argument dicts with Python's ==. A call
 * to an unknown function, an unknown keyword, a missing argument without default, more or fewer than one
 * call, or an unparsable answer is wrong.
 */
public final class NexusRavenCheck {
    private NexusRavenCheck() {}

    public static Verdict check(Sample s, Prediction p) {
        if (!p.parsed()) return Verdict.fail("unparsable output: " + p.parseError());
        if (p.calls().size() != 1) return Verdict.fail("expected exactly one call, got " + p.calls().size());
        if (s.gold().size() != 1) return Verdict.fail("sample has " + s.gold().size() + " reference calls");
        ToolCall c = p.calls().getFirst(), g = s.gold().getFirst();
        ToolSpec tool = s.tool(c.name());
        if (tool == null) return Verdict.fail("unknown function " + c.name());
        if (!c.name().equals(g.name())) return Verdict.fail("function: expected " + g.name() + ", got " + c.name());
        ObjectNode pb = Json.object(), gb = Json.object();
        String err = bind(tool, c.arguments(), pb);
        if (err != null) return Verdict.fail(err);
        String gerr = bind(tool, g.arguments(), gb);
        if (gerr != null) return Verdict.fail("reference call does not bind: " + gerr);
        Set<String> keys = new LinkedHashSet<>();
        gb.fieldNames().forEachRemaining(keys::add);
        pb.fieldNames().forEachRemaining(keys::add);
        List<String> diffs = new ArrayList<>();
        for (String k : keys) {
            if (!Values.pyEquals(pb.get(k), gb.get(k))) {
                diffs.add("argument " + k + " expected " + Values.show(gb.get(k)) + ", got " + Values.show(pb.get(k)));
            }
        }
        return diffs.isEmpty() ? Verdict.OK : Verdict.fail(String.join("; ", diffs));
    }

    /** Binds arguments ("$i" keys are positional) to the signature, filling defaults; returns an error or null. */
    static String bind(ToolSpec tool, ObjectNode args, ObjectNode out) {
        List<String> names = tool.parameterNames();
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            if (k.startsWith("$") && k.substring(1).matches("\\d+")) {
                int i = Integer.parseInt(k.substring(1));
                if (i >= names.size()) return tool.name() + "() takes " + names.size() + " arguments but more were given";
                k = names.get(i);
            } else if (!tool.hasParameter(k)) {
                return tool.name() + "() got an unexpected keyword argument '" + k + "'";
            }
            if (out.has(k)) return tool.name() + "() got multiple values for argument '" + k + "'";
            out.set(k, e.getValue());
        }
        for (String n : names) {
            if (out.has(n)) continue;
            JsonNode prop = tool.property(n);
            if (prop != null && prop.has("default")) out.set(n, prop.get("default"));
            else if (tool.required().contains(n)) return tool.name() + "() missing required argument '" + n + "'";
            else out.set(n, Json.NODES.nullNode());
        }
        return null;
    }
}
