package ttsi.bench.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Sample;
import ttsi.bench.score.Values.PyType;

/**
 * BFCL's AST checker (eval_checker/ast_eval/ast_checker.py), for Python categories. The category decides the
 * shape: "irrelevance" expects no call (an unparsable answer counts as none); "relevance" expects some call;
 * "parallel" matches the calls to the answers in any order; "multiple" and the rest expect the answer count
 * (simple: exactly one) and check the first. One call is checked as BFCL does: exact function name; required
 * parameters present; every parameter known to the function and to the answer; Python type equal to the
 * declared one (int accepted for float; a value of the answer's own type is accepted as a "variable"; list
 * items checked one level down); the value among the accepted ones (strings and string items compared after
 * {@link Values#bfclStandardize}, dicts key by key); an answer parameter missing from the call only when ""
 * is among its accepted values.
 */
public final class BfclChecker {
    private BfclChecker() {}

    private record TypeResult(boolean valid, boolean variable, String error) {}

    public static Verdict check(Sample s, Prediction p) {
        String category = s.meta().path("category").asText(s.group() == null ? "" : s.group());
        List<ToolCall> out = p.calls();
        if (category.contains("irrelevance")) {
            return out.isEmpty() ? Verdict.OK : Verdict.fail("expected no call, got " + out);
        }
        if (category.contains("relevance")) {
            return !out.isEmpty() ? Verdict.OK : Verdict.fail("expected a call, got none" + (p.parsed() ? "" : " (" + p.parseError() + ")"));
        }
        if (!p.parsed()) return Verdict.fail("unparsable output: " + p.parseError());
        JsonNode answers = s.goldRaw();
        if (answers == null || !answers.isArray()) return Verdict.fail("sample has no possible answers");
        if (category.contains("parallel")) return parallel(s, out, answers);
        int expected = category.contains("multiple") ? answers.size() : 1;
        if (out.size() != expected) return Verdict.fail("wrong number of calls: expected " + expected + ", got " + out.size());
        return checkCall(s, out.getFirst(), answers.get(0));
    }

    private static Verdict parallel(Sample s, List<ToolCall> out, JsonNode answers) {
        if (out.size() != answers.size()) return Verdict.fail("wrong number of calls: expected " + answers.size() + ", got " + out.size());
        boolean[] used = new boolean[out.size()];
        for (int i = 0; i < answers.size(); i++) {
            List<String> errors = new ArrayList<>();
            boolean found = false;
            for (int k = 0; k < out.size() && !found; k++) {
                if (used[k]) continue;
                Verdict v = checkCall(s, out.get(k), answers.get(i));
                if (v.correct()) {
                    used[k] = true;
                    found = true;
                } else {
                    errors.add("call " + k + ": " + v.reason());
                }
            }
            if (!found) return Verdict.fail("no call matches answer " + i + " (" + answers.get(i).fieldNames().next() + "): " + String.join(" | ", errors));
        }
        return Verdict.OK;
    }

    /** simple_function_checker: one call against one answer {fn: {param: [accepted]}}. */
    static Verdict checkCall(Sample s, ToolCall call, JsonNode answer) {
        if (!answer.isObject() || answer.size() != 1) return Verdict.fail("malformed possible answer");
        var entry = answer.fields().next();
        String fn = entry.getKey();
        JsonNode accepted = entry.getValue();
        ToolSpec desc = s.tool(fn);
        if (desc == null) return Verdict.fail("answer function " + fn + " is not among the sample's functions");
        if (!call.name().equals(desc.name())) return Verdict.fail("function name: expected " + desc.name() + ", got " + call.name());
        for (String r : desc.required()) {
            if (!call.arguments().has(r)) return Verdict.fail("missing required parameter " + r);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = call.arguments().fields(); it.hasNext(); ) {
            var e = it.next();
            String param = e.getKey();
            JsonNode value = e.getValue();
            if (!desc.hasParameter(param) || !accepted.has(param)) return Verdict.fail("unexpected parameter " + param);
            JsonNode alts = asList(accepted.get(param));
            String typeDesc = desc.type(param);
            PyType expected = pyType(typeDesc);
            PyType nested = null;
            if ("array".equals(typeDesc) || "tuple".equals(typeDesc)) {
                nested = pyType(desc.property(param).path("items").path("type").asText(null));
            }
            if ("float".equals(typeDesc) && Values.type(value) == PyType.INT) value = DoubleNode.valueOf(value.doubleValue());
            boolean variable = false;
            if (expected != null) {
                TypeResult tr = typeCheck(param, value, alts, typeDesc, expected, nested);
                if (!tr.valid()) return Verdict.fail(tr.error());
                variable = tr.variable();
                if (!variable) {
                    Verdict v = null;
                    if (expected == PyType.DICT) v = dictCheck(param, value, alts);
                    else if (expected == PyType.LIST && nested == PyType.DICT) v = listDictCheck(param, value, alts);
                    else if (expected == PyType.STR) v = stringCheck(param, value, alts);
                    else if (expected == PyType.LIST) v = listCheck(param, value, alts);
                    if (v != null) {
                        if (!v.correct()) return v;
                        continue;
                    }
                }
            }
            if (!Values.pyIn(value, alts)) {
                return Verdict.fail("invalid value for " + param + ": " + Values.show(value) + ", expected one of " + Values.show(alts));
            }
        }
        for (Iterator<String> it = accepted.fieldNames(); it.hasNext(); ) {
            String param = it.next();
            if (!call.arguments().has(param) && !hasEmpty(asList(accepted.get(param)))) {
                return Verdict.fail("parameter " + param + " not provided and not optional");
            }
        }
        return Verdict.OK;
    }

    /** BFCL's Python type mapping; null for a type word it does not know (then only the value is checked). */
    static PyType pyType(String t) {
        if (t == null) return null;
        return switch (t) {
            case "string", "any" -> PyType.STR;
            case "integer" -> PyType.INT;
            case "float" -> PyType.FLOAT;
            case "boolean" -> PyType.BOOL;
            case "array", "tuple" -> PyType.LIST;
            case "dict" -> PyType.DICT;
            default -> null;
        };
    }

    private static TypeResult typeCheck(String param, JsonNode value, JsonNode alts, String typeDesc, PyType expected, PyType nested) {
        PyType answerType = null;
        for (JsonNode a : alts) {
            if (!Values.isEmptyString(a)) {
                answerType = Values.type(a);
                break;
            }
        }
        boolean variable = answerType != null && answerType != expected;
        PyType actual = Values.type(value);
        if (actual == expected) {
            if (nested == null) return new TypeResult(true, variable, null);
            for (JsonNode alt : alts) {
                boolean ok = true;
                if (alt.isArray()) {
                    for (JsonNode item : value) {
                        if (!typeCheck(param, item, alt, nested.name().toLowerCase(), nested, null).valid()) {
                            ok = false;
                            break;
                        }
                    }
                }
                if (ok) return new TypeResult(true, variable, null);
            }
            return new TypeResult(false, false, "nested type check failed for " + param + ": expected " + typeDesc + " of "
                    + nested.name().toLowerCase() + ", got " + Values.show(value));
        }
        if (answerType != null && actual == answerType) return new TypeResult(true, true, null);
        return new TypeResult(false, false, "incorrect type for " + param + ": expected " + typeDesc + ", got "
                + actual.name().toLowerCase() + " " + Values.show(value));
    }

    private static Verdict stringCheck(String param, JsonNode value, JsonNode alts) {
        String v = Values.bfclStandardize(value.textValue());
        for (JsonNode a : alts) {
            if (a.isTextual() && Values.bfclStandardize(a.textValue()).equals(v)) return Verdict.OK;
        }
        return Verdict.fail("invalid value for " + param + ": " + Values.show(value) + ", expected one of " + Values.show(alts) + " (case and punctuation ignored)");
    }

    private static Verdict listCheck(String param, JsonNode value, JsonNode alts) {
        JsonNode v = standardizeItems(value);
        for (JsonNode a : alts) {
            JsonNode alt = a.isTextual() ? chars(a.textValue()) : a;
            if (alt.isArray() && Values.pyEquals(v, standardizeItems(alt))) return Verdict.OK;
        }
        return Verdict.fail("invalid value for " + param + ": " + Values.show(value) + ", expected one of " + Values.show(alts));
    }

    private static Verdict dictCheck(String param, JsonNode value, JsonNode alts) {
        String error = "invalid value for " + param + ": " + Values.show(value);
        for (JsonNode alt : alts) {
            if (Values.isEmptyString(alt) || !alt.isObject()) continue;
            boolean ok = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext() && ok; ) {
                var e = it.next();
                if (!alt.has(e.getKey())) {
                    ok = false;
                    error = "unexpected key " + e.getKey() + " in " + param;
                    break;
                }
                JsonNode sv = e.getValue().isTextual() ? Json.NODES.textNode(Values.bfclStandardize(e.getValue().textValue())) : e.getValue();
                if (!Values.pyIn(sv, standardizeItems(asList(alt.get(e.getKey()))))) {
                    ok = false;
                    error = "invalid value for " + param + "." + e.getKey() + ": " + Values.show(e.getValue()) + ", expected one of "
                            + Values.show(alt.get(e.getKey()));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = alt.fields(); it.hasNext() && ok; ) {
                var e = it.next();
                if (!value.has(e.getKey()) && !hasEmpty(asList(e.getValue()))) {
                    ok = false;
                    error = "missing key " + e.getKey() + " in " + param;
                }
            }
            if (ok) return Verdict.OK;
        }
        return Verdict.fail(error);
    }

    private static Verdict listDictCheck(String param, JsonNode value, JsonNode alts) {
        Verdict last = Verdict.fail("invalid value for " + param + ": " + Values.show(value));
        for (JsonNode a : alts) {
            JsonNode alt = a.isTextual() ? chars(a.textValue()) : a;
            if (!alt.isArray() || alt.size() != value.size()) {
                last = Verdict.fail("wrong number of dicts in " + param);
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < value.size() && ok; i++) {
                Verdict v = dictCheck(param, value.get(i), Json.array().add(alt.get(i)));
                if (!v.correct()) {
                    ok = false;
                    last = v;
                }
            }
            if (ok) return Verdict.OK;
        }
        return last;
    }

    private static JsonNode standardizeItems(JsonNode list) {
        ArrayNode out = Json.array();
        for (JsonNode x : list) out.add(x.isTextual() ? Json.NODES.textNode(Values.bfclStandardize(x.textValue())) : x);
        return out;
    }

    /** Python iterates a string answer character by character; kept for fidelity ("" becomes []). */
    private static JsonNode chars(String s) {
        ArrayNode out = Json.array();
        s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
        return out;
    }

    private static JsonNode asList(JsonNode alts) {
        return alts.isArray() ? alts : Json.array().add(alts);
    }

    private static boolean hasEmpty(JsonNode alts) {
        for (JsonNode a : alts) if (Values.isEmptyString(a)) return true;
        return false;
    }
}
