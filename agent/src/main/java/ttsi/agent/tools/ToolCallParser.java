package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;

/**
 * Reads tool calls out of model text, tolerantly. Understands, in this order: Qwen/Hermes
 * {@code <tool_call>...</tool_call>} blocks; Markdown code fences; a JSON (or Python-literal) list or object
 * ({"name","arguments"}, {"tool"/"api", "parameters"/"args"}, OpenAI's {"function": {...}}, arguments given as a
 * JSON string, {"tool_calls": [...]}, BFCL's {"fn": {args}}); Python call syntax {@code f(a=1, b='x')}, several
 * calls separated by commas, semicolons or newlines, optionally in brackets ({@code [f(a=1), g()]},
 * API-Bank's {@code API-Request: [F(k='v')]}); several JSON objects in a row; and finally a call list embedded
 * in surrounding prose. {@code []} (or {"tool_calls": []}) is a valid answer with no calls.
 * Never throws: an unreadable text gives a result whose {@code error} says why.
 */
public final class ToolCallParser {
    /** The parsed calls, or an error (then calls is empty). {@code format} names what was recognised. */
    public record ParseResult(List<ToolCall> calls, String error, String format) {
        public ParseResult {
            calls = calls == null ? List.of() : List.copyOf(calls);
        }

        public boolean ok() {
            return error == null;
        }

        static ParseResult ok(List<ToolCall> calls, String format) {
            return new ParseResult(calls, null, format);
        }

        static ParseResult fail(String error) {
            return new ParseResult(List.of(), error, null);
        }
    }

    private static final String[] NAME_KEYS = {"name", "tool", "api", "api_name", "tool_name", "function",
            "function_name", "func", "Action", "action"};
    private static final String[] ARG_KEYS = {"arguments", "parameters", "args", "params", "input", "Action_Input",
            "action_input", "tool_input", "kwargs", "inputs"};
    private static final String[] LIST_KEYS = {"tool_calls", "calls", "function_calls", "functions", "actions",
            "tool_call", "function_call"};
    private static final String[] SPECIAL_TOKENS = {"<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>",
            "<|python_tag|>", "<|end|>", "</s>"};
    private static final Pattern CALL_START = Pattern.compile("(?<![\\w.-])[A-Za-z_][\\w-]*(?:\\s*\\.\\s*[A-Za-z_][\\w-]*)*\\(");
    /** API-Bank's own reading of a call: greedy, so that badly quoted values still split on ", key=". */
    private static final Pattern LOOSE_CALL = Pattern.compile("^\\[?\\s*([A-Za-z_][\\w.-]*)\\((.*)\\)\\s*]?$", Pattern.DOTALL);
    private static final Pattern LOOSE_KEY = Pattern.compile("(?:^|,)\\s*([A-Za-z_]\\w*)\\s*=(?!=)\\s*");
    private static final int MAX_EMBEDDED_TRIES = 200;

    private ToolCallParser() {}

    public static ParseResult parse(String text) {
        return parse(text, List.of());
    }

    /** Parses model text; {@code tools} (may be empty) binds positional Python arguments to parameter names. */
    public static ParseResult parse(String text, List<ToolSpec> tools) {
        try {
            return parseText(text, tools == null ? List.of() : tools);
        } catch (RuntimeException e) { // a parser bug must not take an evaluation down
            return ParseResult.fail("parser error: " + e);
        }
    }

    private static ParseResult parseText(String text, List<ToolSpec> tools) {
        if (text == null || text.isBlank()) return ParseResult.fail("empty output");
        String t = text;
        for (String tok : SPECIAL_TOKENS) t = t.replace(tok, "");
        t = t.strip();
        if (t.isEmpty()) return ParseResult.fail("empty output");

        if (t.contains("<tool_call>")) {
            List<ToolCall> calls = new ArrayList<>();
            List<String> blocks = toolCallBlocks(t);
            for (int i = 0; i < blocks.size(); i++) {
                ParseResult r = parsePlain(blocks.get(i), tools);
                if (!r.ok()) return ParseResult.fail("<tool_call> block " + (i + 1) + ": " + r.error());
                calls.addAll(r.calls());
            }
            return ParseResult.ok(calls, "tool_call");
        }
        List<String> fences = fencedBlocks(t);
        if (!fences.isEmpty()) {
            List<ToolCall> calls = new ArrayList<>();
            boolean any = false;
            for (String body : fences) {
                ParseResult r = parsePlain(body, tools);
                if (r.ok()) {
                    any = true;
                    calls.addAll(r.calls());
                }
            }
            if (any) return ParseResult.ok(calls, "fenced");
        }
        return parsePlain(t, tools);
    }

    /** Text with no tool_call tags or fences. */
    private static ParseResult parsePlain(String text, List<ToolSpec> tools) {
        String s = text.strip();
        if (s.isEmpty()) return ParseResult.fail("empty output");
        String firstError = null;

        // 1. The whole text is JSON, or a Python literal (single quotes, True/None).
        JsonNode n = Json.tryParse(s);
        String fmt = "json";
        if (n == null && (s.startsWith("[") || s.startsWith("{"))) {
            n = PyLiteral.tryParse(s);
            fmt = "python-literal";
        }
        if (n != null && (n.isArray() || n.isObject() || n.isNull())) {
            ParseResult r = interpret(n);
            if (r.ok()) return ParseResult.ok(r.calls(), fmt);
            firstError = r.error();
        }

        // 2. The whole text is Python calls.
        Calls pc = pythonCalls(s, 0, true, tools);
        if (pc.result.ok() && pc.suspicious) {
            // A value with stray quotes: read the call as API-Bank does, if it is a single call.
            ParseResult loose = looseCall(s);
            return loose != null ? loose : pc.result;
        }
        if (pc.result.ok()) return pc.result;

        // 3. Several JSON values in a row (one per line, or separated by ';').
        ParseResult seq = jsonSequence(s);
        if (seq != null && seq.ok()) return seq;

        // 4. A call list somewhere inside prose.
        ParseResult emb = embedded(s, tools);
        if (emb != null) return emb;

        if (firstError != null) return ParseResult.fail(firstError);
        return ParseResult.fail("no tool call found in: " + preview(s));
    }

    // ---- JSON ----

    /** Turns a JSON value into calls: a list of call objects, one call object, or a {"tool_calls": [...]} wrapper. */
    public static ParseResult interpret(JsonNode n) {
        if (n == null || n.isNull()) return ParseResult.ok(List.of(), "json");
        if (n.isArray()) {
            List<ToolCall> calls = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                JsonNode el = n.get(i);
                ParseResult r;
                if (el.isObject()) r = fromObject(el);
                else if (el.isArray()) r = interpret(el);
                else if (el.isTextual()) r = pythonCalls(el.textValue().strip(), 0, true, List.of()).result;
                else r = ParseResult.fail("a " + el.getNodeType().toString().toLowerCase() + " is not a call");
                if (!r.ok()) return ParseResult.fail("item " + i + ": " + r.error());
                calls.addAll(r.calls());
            }
            return ParseResult.ok(calls, "json");
        }
        if (n.isObject()) {
            for (String k : LIST_KEYS) {
                if (n.has(k)) {
                    JsonNode v = n.get(k);
                    if (v.isNull() || v.isArray()) return interpret(v);
                    if (v.isObject()) return fromObject(v);
                }
            }
            return fromObject(n);
        }
        return ParseResult.fail("a " + n.getNodeType().toString().toLowerCase() + " is not a call list");
    }

    private static ParseResult fromObject(JsonNode o) {
        JsonNode fn = o.get("function");
        if (fn != null && fn.isObject()) return fromObject(fn);
        String name = null;
        for (String k : NAME_KEYS) {
            JsonNode v = o.get(k);
            if (v != null && v.isTextual() && !v.textValue().isBlank()) {
                name = v.textValue().strip();
                break;
            }
        }
        JsonNode args = null;
        if (name == null) {
            if (o.size() == 1 && o.elements().next().isObject()) { // BFCL's {"fn": {args}}
                var e = o.fields().next();
                name = e.getKey();
                args = e.getValue();
            } else {
                List<String> keys = new ArrayList<>();
                o.fieldNames().forEachRemaining(keys::add);
                return ParseResult.fail("object has no function name (keys " + keys + ")");
            }
        } else {
            for (String k : ARG_KEYS) {
                if (o.has(k)) {
                    args = o.get(k);
                    break;
                }
            }
        }
        ObjectNode a;
        if (args == null || args.isNull()) {
            a = Json.object();
        } else if (args.isObject()) {
            a = (ObjectNode) args;
        } else if (args.isTextual()) {
            String as = args.textValue().strip();
            JsonNode parsed = as.isEmpty() ? Json.object() : Json.tryParse(as);
            if (parsed == null) parsed = PyLiteral.tryParse(as);
            if (parsed == null || !parsed.isObject()) {
                return ParseResult.fail("arguments of " + name + " are a string that is not a JSON object: " + preview(as));
            }
            a = (ObjectNode) parsed;
        } else {
            return ParseResult.fail("arguments of " + name + " must be an object, got " + args.getNodeType().toString().toLowerCase());
        }
        return ParseResult.ok(List.of(new ToolCall(name, a)), "json");
    }

    private static ParseResult jsonSequence(String s) {
        List<ToolCall> calls = new ArrayList<>();
        int i = 0, count = 0;
        while (true) {
            while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ';' || s.charAt(i) == ',')) i++;
            if (i >= s.length()) break;
            char c = s.charAt(i);
            if (c != '{' && c != '[') return null;
            int end = balancedEnd(s, i);
            if (end < 0) return null;
            JsonNode n = parseValue(s.substring(i, end));
            if (n == null) return null;
            ParseResult r = interpret(n);
            if (!r.ok()) return r;
            calls.addAll(r.calls());
            count++;
            i = end;
        }
        return count > 1 ? ParseResult.ok(calls, "json-sequence") : null;
    }

    private static JsonNode parseValue(String s) {
        JsonNode n = Json.tryParse(s);
        return n != null ? n : PyLiteral.tryParse(s);
    }

    /** Index just past the bracket matching the one at {@code start}, or -1. Strings (' and ") are skipped. */
    static int balancedEnd(String s, int start) {
        int depth = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c && s.charAt(j) != '\n') {
                    if (s.charAt(j) == '\\') j++;
                    j++;
                }
                if (j >= s.length() || s.charAt(j) == '\n') {
                    if (c == '\'') continue; // an apostrophe in prose, not a string
                    return -1;
                }
                i = j;
                continue;
            }
            if (c == '{' || c == '[' || c == '(') depth++;
            else if (c == '}' || c == ']' || c == ')') {
                depth--;
                if (depth == 0) return i + 1;
                if (depth < 0) return -1;
            }
        }
        return -1;
    }

    // ---- Python calls ----

    private record Calls(ParseResult result, int end, boolean suspicious) {}

    /**
     * Calls from {@code start}: an optional '[', calls separated by ',', ';' or newlines, an optional ']'.
     * With {@code whole} the text must end there; otherwise reading stops at the first thing that is not a call.
     */
    private static Calls pythonCalls(String s, int start, boolean whole, List<ToolSpec> tools) {
        PyParser p = new PyParser(s, start, true);
        List<ToolCall> calls = new ArrayList<>();
        boolean suspicious = false;
        try {
            p.skipWs();
            boolean bracket = false;
            if (p.peek() == '[') {
                bracket = true;
                p.pos++;
                p.skipWs();
                if (p.peek() == ']') {
                    p.pos++;
                    if (whole && !p.atEnd()) throw p.fail("text after the call list");
                    return new Calls(ParseResult.ok(List.of(), "python"), p.pos, false);
                }
            }
            while (true) {
                int before = p.pos;
                skipAssignment(p);
                PyParser.Call c;
                try {
                    c = p.call();
                } catch (PyParser.Failure f) {
                    if (calls.isEmpty() || whole) throw f;
                    p.pos = before;
                    break;
                }
                String err = bind(c, tools, calls);
                if (err != null) throw new PyParser.Failure(c.start(), err);
                suspicious |= hasQuotedRaw(c);
                p.skipWs();
                char ch = p.peek();
                if (ch == ',' || ch == ';') {
                    p.pos++;
                    p.skipWs();
                    if (p.peek() == ']' && bracket) {
                        p.pos++;
                        break;
                    }
                    if (p.pos < s.length() && PyParser.isIdentStart(p.peek())) continue;
                    break;
                }
                if (ch == ']' && bracket) {
                    p.pos++;
                    break;
                }
                // Calls on separate lines.
                if (p.pos < s.length() && PyParser.isIdentStart(ch) && s.substring(c.end(), p.pos).contains("\n")) continue;
                break;
            }
            if (whole && !p.atEnd()) throw p.fail("unexpected text after the calls: " + p.describe());
            return new Calls(ParseResult.ok(calls, "python"), p.pos, suspicious);
        } catch (PyParser.Failure f) {
            return new Calls(ParseResult.fail("not a Python call: " + f.getMessage()), -1, false);
        }
    }

    /** Skips {@code r = } before a call (NexusRaven's cve_cpe references are written that way). */
    private static void skipAssignment(PyParser p) {
        int save = p.pos;
        try {
            p.identifier();
            p.skipWs();
            if (p.peek() == '=' && p.pos + 1 < p.length() && p.charAt(p.pos + 1) != '=') {
                p.pos++;
                int after = p.pos;
                p.identifier(); // an assignment only counts when a call follows
                p.pos = after;
                return;
            }
        } catch (PyParser.Failure ignored) {
            // not an assignment
        }
        p.pos = save;
    }

    private static boolean hasQuotedRaw(PyParser.Call c) {
        for (JsonNode v : c.keywords().values()) if (rawWithQuotes(v)) return true;
        for (JsonNode v : c.positional()) if (rawWithQuotes(v)) return true;
        return false;
    }

    /** A value kept as source text that contains quotes: likely a badly quoted string (API-Bank's gold has some). */
    private static boolean rawWithQuotes(JsonNode v) {
        if (!v.isTextual()) return false;
        String t = v.textValue();
        return (t.startsWith("'") || t.startsWith("\"")) && !(PyLiteral.tryParse(t) != null);
    }

    /** Adds the call, binding positional values to the tool's parameter order when the tool is known. */
    private static String bind(PyParser.Call c, List<ToolSpec> tools, List<ToolCall> out) {
        ObjectNode args = Json.object();
        List<String> names = null;
        for (ToolSpec t : tools) if (t.name().equals(c.name())) names = t.parameterNames();
        for (int i = 0; i < c.positional().size(); i++) {
            String key = names != null && i < names.size() ? names.get(i) : "$" + i;
            if (c.keywords().containsKey(key)) return c.name() + "() got multiple values for argument '" + key + "'";
            args.set(key, c.positional().get(i));
        }
        for (Map.Entry<String, JsonNode> e : c.keywords().entrySet()) args.set(e.getKey(), e.getValue());
        out.add(new ToolCall(c.name(), args));
        return null;
    }

    /** API-Bank's reading: Name(k='v', ...) split on ", key=" with the outer quotes of each value removed. */
    private static ParseResult looseCall(String s) {
        String body = s;
        int colon = body.indexOf("API-Request:");
        if (colon >= 0) body = body.substring(colon + "API-Request:".length());
        Matcher m = LOOSE_CALL.matcher(body.strip());
        if (!m.matches()) return null;
        String inner = m.group(2).strip();
        ObjectNode args = Json.object();
        if (!inner.isEmpty()) {
            Matcher k = LOOSE_KEY.matcher(inner);
            List<int[]> spans = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            while (k.find()) {
                spans.add(new int[] {k.start(), k.end()});
                keys.add(k.group(1));
            }
            if (spans.isEmpty() || spans.getFirst()[0] != 0) return null;
            for (int i = 0; i < spans.size(); i++) {
                int vs = spans.get(i)[1];
                int ve = i + 1 < spans.size() ? spans.get(i + 1)[0] : inner.length();
                String v = inner.substring(vs, ve).strip();
                JsonNode node;
                if (v.length() >= 2 && (v.charAt(0) == '\'' || v.charAt(0) == '"') && v.charAt(v.length() - 1) == v.charAt(0)) {
                    node = Json.NODES.textNode(v.substring(1, v.length() - 1));
                } else {
                    node = PyLiteral.tryParse(v);
                    if (node == null) node = Json.NODES.textNode(v);
                }
                args.set(keys.get(i), node);
            }
        }
        return ParseResult.ok(List.of(new ToolCall(m.group(1), args)), "python-loose");
    }

    // ---- prose ----

    /** The first JSON call list or Python call sequence inside the text, or null. */
    private static ParseResult embedded(String s, List<ToolSpec> tools) {
        int tries = 0;
        Matcher callStart = CALL_START.matcher(s);
        int nextCall = callStart.find() ? callStart.start() : -1;
        for (int i = 0; i < s.length() && tries < MAX_EMBEDDED_TRIES; i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '{') {
                tries++;
                int end = balancedEnd(s, i);
                if (end > 0) {
                    JsonNode n = parseValue(s.substring(i, end));
                    if (n != null) {
                        ParseResult r = interpret(n);
                        if (r.ok() && (!r.calls().isEmpty() || n.isArray())) return ParseResult.ok(r.calls(), "embedded-json");
                    }
                }
            }
            if (i == nextCall) {
                tries++;
                Calls pc = pythonCalls(s, i, false, tools);
                if (pc.result.ok() && pc.suspicious) {
                    ParseResult loose = looseCall(s.substring(i));
                    if (loose != null) return loose;
                }
                if (pc.result.ok() && !pc.result.calls().isEmpty()) return ParseResult.ok(pc.result.calls(), "embedded-python");
                nextCall = callStart.find(i + 1) ? callStart.start() : -1;
            }
        }
        return null;
    }

    // ---- wrappers ----

    static List<String> toolCallBlocks(String t) {
        List<String> out = new ArrayList<>();
        int i = t.indexOf("<tool_call>");
        while (i >= 0) {
            int start = i + "<tool_call>".length();
            int close = t.indexOf("</tool_call>", start);
            int next = t.indexOf("<tool_call>", start);
            int end = close >= 0 && (next < 0 || close < next) ? close : (next >= 0 ? next : t.length());
            out.add(t.substring(start, end));
            i = next;
        }
        return out;
    }

    static List<String> fencedBlocks(String t) {
        List<String> out = new ArrayList<>();
        int i = t.indexOf("```");
        while (i >= 0) {
            int start = i + 3;
            while (start < t.length() && (Character.isLetterOrDigit(t.charAt(start)) || t.charAt(start) == '_' || t.charAt(start) == '-')) start++;
            int end = t.indexOf("```", start);
            out.add(t.substring(start, end < 0 ? t.length() : end));
            if (end < 0) break;
            i = t.indexOf("```", end + 3);
        }
        return out;
    }

    private static String preview(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() > 80 ? one.substring(0, 80) + "..." : one;
    }
}
