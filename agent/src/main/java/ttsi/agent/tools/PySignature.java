package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;

/** Reads a Python function signature and its docstring into a ToolSpec (NexusRaven-style definitions). */
final class PySignature {
    private static final Pattern HEAD = Pattern.compile("^\\s*(?:async\\s+)?(?:def\\s+)?([A-Za-z_][\\w.]*)\\s*\\(");
    private static final Pattern ARG_LINE = Pattern.compile("^\\s*\\*{0,2}(\\w+)\\s*(?:\\(([^)]*)\\))?\\s*:\\s*(.*)$");

    private PySignature() {}

    static ToolSpec parse(String signature, String docstring) {
        Matcher m = HEAD.matcher(signature);
        if (!m.find()) throw new IllegalArgumentException("not a Python signature: " + preview(signature));
        String name = m.group(1);
        int open = m.end() - 1;
        int close = matching(signature, open);
        if (close < 0) throw new IllegalArgumentException("unclosed parameter list in signature of " + name);
        Map<String, String> docs = argDocs(docstring == null ? "" : docstring);
        ObjectNode props = Json.object();
        ArrayNode req = Json.array();
        for (String part : splitTopLevel(signature.substring(open + 1, close))) {
            String p = part.strip();
            if (p.isEmpty() || p.equals("self") || p.equals("cls") || p.equals("*") || p.equals("/") || p.startsWith("*")) continue;
            int eq = indexTopLevel(p, '=');
            String head = eq < 0 ? p : p.substring(0, eq).strip();
            String def = eq < 0 ? null : p.substring(eq + 1).strip();
            int colon = indexTopLevel(head, ':');
            String an = (colon < 0 ? head : head.substring(0, colon)).strip();
            String type = colon < 0 ? null : head.substring(colon + 1).strip();
            ObjectNode prop = Json.object();
            String docType = docs.get(an + "\u0000type");
            if (type == null && docType != null && !docType.isBlank()) type = docType.split(",")[0].strip();
            if (type != null) prop.put("type", unwrapOptional(type));
            prop.put("description", docs.getOrDefault(an, ""));
            if (def != null) {
                JsonNode v = PyLiteral.tryParse(def);
                prop.set("default", v != null ? v : Json.NODES.textNode(def));
            } else {
                req.add(an);
            }
            props.set(an, prop);
        }
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        schema.set("properties", props);
        schema.set("required", req);
        return new ToolSpec(name, description(docstring), schema, null);
    }

    private static String unwrapOptional(String t) {
        return t.startsWith("Optional[") && t.endsWith("]") ? t.substring(9, t.length() - 1) : t;
    }

    /** The docstring up to its Args section (or all of it), trimmed. */
    private static String description(String doc) {
        if (doc == null) return "";
        String[] lines = doc.strip().split("\n");
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            if (isArgsHeader(l)) break;
            sb.append(l.strip()).append('\n');
        }
        return sb.toString().strip();
    }

    private static boolean isArgsHeader(String l) {
        String t = l.strip().toLowerCase();
        return t.equals("args:") || t.equals("arguments:") || t.equals("parameters:") || t.equals("params:");
    }

    /** name -> description (and name\0type -> type text) from an Args: section. */
    private static Map<String, String> argDocs(String doc) {
        Map<String, String> out = new HashMap<>();
        boolean inArgs = false;
        String current = null;
        int indent = -1;
        for (String l : doc.split("\n")) {
            if (isArgsHeader(l)) {
                inArgs = true;
                current = null;
                continue;
            }
            if (!inArgs) continue;
            if (l.isBlank()) continue;
            int ind = l.length() - l.stripLeading().length();
            Matcher m = ARG_LINE.matcher(l);
            if (m.matches() && (indent < 0 || ind <= indent)) {
                indent = ind;
                current = m.group(1);
                out.put(current, m.group(3).strip());
                if (m.group(2) != null) out.put(current + "\u0000type", m.group(2).strip());
            } else if (current != null && ind > indent) {
                out.put(current, (out.get(current) + " " + l.strip()).strip());
            } else if (ind <= indent) {
                inArgs = false; // another section began
            }
        }
        return out;
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) return i;
            }
        }
        return -1;
    }

    private static int skipQuoted(String s, int i) {
        char q = s.charAt(i);
        for (int j = i + 1; j < s.length(); j++) {
            if (s.charAt(j) == '\\') j++;
            else if (s.charAt(j) == q) return j;
        }
        return s.length();
    }

    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static int indexTopLevel(String s, char target) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == target && depth == 0) return i;
        }
        return -1;
    }

    private static String preview(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
