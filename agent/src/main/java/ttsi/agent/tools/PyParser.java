package ttsi.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;

/**
 * A small recursive-descent reader for the Python subset that models and benchmark files write: literals
 * (str, int, float, True/False/None, list, tuple, dict, set; JSON's true/false/null too) and calls
 * {@code a.b(x, k=v)}. Values become Jackson nodes; tuples and sets become arrays, as json.dumps would make them.
 */
final class PyParser {
    /** A parse failure at a character offset. */
    static final class Failure extends RuntimeException {
        final int pos;

        Failure(int pos, String msg) {
            super(msg + " at offset " + pos);
            this.pos = pos;
        }
    }

    /** One call: dotted name, positional values, keyword values in source order. */
    record Call(String name, List<JsonNode> positional, Map<String, JsonNode> keywords, int start, int end) {}

    private final String s;
    int pos;
    /** When set, a value that is not a literal (a name, an expression) is kept as its source text. */
    private final boolean lenient;

    PyParser(String s, int pos, boolean lenient) {
        this.s = s;
        this.pos = pos;
        this.lenient = lenient;
    }

    boolean atEnd() {
        skipWs();
        return pos >= s.length();
    }

    int length() {
        return s.length();
    }

    char charAt(int i) {
        return s.charAt(i);
    }

    char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '\\' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') {
                pos += 2; // line continuation
            } else {
                break;
            }
        }
    }

    Failure fail(String msg) {
        return new Failure(pos, msg);
    }

    void expect(char c) {
        skipWs();
        if (peek() != c) throw fail("expected '" + c + "' but found " + describe());
        pos++;
    }

    String describe() {
        if (pos >= s.length()) return "end of text";
        int end = Math.min(s.length(), pos + 12);
        return "'" + s.substring(pos, end).replace("\n", "\\n") + (end < s.length() ? "..." : "") + "'";
    }

    // ---- names and calls ----

    static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    String identifier() {
        skipWs();
        int start = pos;
        if (pos >= s.length() || !isIdentStart(s.charAt(pos))) throw fail("expected a name but found " + describe());
        while (pos < s.length() && isIdentPart(s.charAt(pos))) pos++;
        return s.substring(start, pos);
    }

    /** A function name part: an identifier that may hold inner hyphens ("createIn-AppMessage", as some benchmarks name tools). */
    String functionName() {
        StringBuilder sb = new StringBuilder(identifier());
        while (peek() == '-' && pos + 1 < s.length() && isIdentPart(s.charAt(pos + 1))) {
            pos++;
            sb.append('-');
            while (pos < s.length() && isIdentPart(s.charAt(pos))) sb.append(s.charAt(pos++));
        }
        return sb.toString();
    }

    /** name(args): the name may be dotted; spaces are allowed around dots but not before the parenthesis. */
    Call call() {
        skipWs();
        int start = pos;
        StringBuilder name = new StringBuilder(functionName());
        while (true) {
            int save = pos;
            skipWs();
            if (peek() == '.') {
                pos++;
                name.append('.').append(functionName());
            } else {
                pos = save;
                break;
            }
        }
        if (peek() != '(') throw fail("expected '(' after " + name + " but found " + describe());
        pos++;
        List<JsonNode> positional = new ArrayList<>();
        Map<String, JsonNode> keywords = new LinkedHashMap<>();
        skipWs();
        while (peek() != ')') {
            if (pos >= s.length()) throw fail("unclosed argument list of " + name);
            String kw = keywordAhead();
            if (kw != null) {
                if (keywords.containsKey(kw)) throw fail("keyword argument '" + kw + "' repeated");
                keywords.put(kw, value());
            } else {
                if (!keywords.isEmpty()) throw fail("positional argument follows keyword argument");
                positional.add(value());
            }
            skipWs();
            if (peek() == ',') {
                pos++;
                skipWs();
            } else if (peek() != ')') {
                throw fail("expected ',' or ')' in the arguments of " + name + " but found " + describe());
            }
        }
        pos++;
        return new Call(name.toString(), positional, keywords, start, pos);
    }

    /** If the text ahead is {@code name =} (not {@code ==}), consumes it and returns the name. */
    private String keywordAhead() {
        skipWs();
        int save = pos;
        if (pos < s.length() && isIdentStart(s.charAt(pos))) {
            String id = identifier();
            skipWs();
            if (peek() == '=' && (pos + 1 >= s.length() || s.charAt(pos + 1) != '=')) {
                pos++;
                return id;
            }
        }
        pos = save;
        return null;
    }

    // ---- values ----

    JsonNode value() {
        skipWs();
        int start = pos;
        try {
            JsonNode v = literal();
            if (lenient) {
                // "a" + b or f(x).y: not a plain literal; keep the whole expression as text.
                int save = pos;
                skipWs();
                char c = peek();
                if (pos < s.length() && c != ',' && c != ')' && c != ']' && c != '}' && c != ':') {
                    pos = start;
                    return Json.NODES.textNode(rawExpression());
                }
                pos = save;
            }
            return v;
        } catch (Failure f) {
            if (!lenient) throw f;
            pos = start;
            String raw = rawExpression();
            if (raw.isEmpty()) throw f;
            return Json.NODES.textNode(raw);
        }
    }

    /** Source text up to the next top-level ',' or closing bracket, brackets and strings respected. */
    private String rawExpression() {
        int start = pos;
        int depth = 0;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '\'' || c == '"') {
                skipString();
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) break;
                depth--;
            } else if (c == ',' && depth == 0) break;
            pos++;
        }
        return s.substring(start, pos).strip();
    }

    private void skipString() {
        char q = s.charAt(pos);
        boolean triple = s.startsWith(String.valueOf(q).repeat(3), pos);
        pos += triple ? 3 : 1;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '\\') {
                pos += 2;
            } else if (triple ? s.startsWith(String.valueOf(q).repeat(3), pos) : c == q) {
                pos += triple ? 3 : 1;
                return;
            } else {
                pos++;
            }
        }
    }

    /** One literal. Throws Failure on anything else. */
    JsonNode literal() {
        skipWs();
        if (pos >= s.length()) throw fail("expected a value but found end of text");
        char c = s.charAt(pos);
        if (c == '[') return sequence('[', ']');
        if (c == '(') return tupleOrGroup();
        if (c == '{') return dictOrSet();
        if (c == '\'' || c == '"') return Json.NODES.textNode(strings());
        if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) return number();
        if (isIdentStart(c)) {
            int save = pos;
            String id = identifier();
            // String prefixes: r'..', b'..', u'..', f'..' and combinations.
            if ((peek() == '\'' || peek() == '"') && id.length() <= 2 && id.toLowerCase().matches("[rbuf]+")) {
                pos = save + id.length();
                return Json.NODES.textNode(strings(id.toLowerCase().contains("r")));
            }
            switch (id) {
                case "True", "true" -> {
                    return Json.NODES.booleanNode(true);
                }
                case "False", "false" -> {
                    return Json.NODES.booleanNode(false);
                }
                case "None", "null" -> {
                    return Json.NODES.nullNode();
                }
                default -> {
                    pos = save;
                    throw fail("'" + id + "' is a name, not a literal");
                }
            }
        }
        throw fail("expected a value but found " + describe());
    }

    private ArrayNode sequence(char open, char close) {
        expect(open);
        ArrayNode out = Json.array();
        skipWs();
        while (peek() != close) {
            if (pos >= s.length()) throw fail("unclosed '" + open + "'");
            out.add(value());
            skipWs();
            if (peek() == ',') {
                pos++;
                skipWs();
            } else if (peek() != close) {
                throw fail("expected ',' or '" + close + "' but found " + describe());
            }
        }
        pos++;
        return out;
    }

    private JsonNode tupleOrGroup() {
        expect('(');
        skipWs();
        if (peek() == ')') {
            pos++;
            return Json.array();
        }
        JsonNode first = value();
        skipWs();
        if (peek() == ')') { // parenthesised value, not a tuple
            pos++;
            return first;
        }
        ArrayNode out = Json.array();
        out.add(first);
        while (peek() == ',') {
            pos++;
            skipWs();
            if (peek() == ')') break;
            out.add(value());
            skipWs();
        }
        if (peek() != ')') throw fail("expected ',' or ')' in a tuple but found " + describe());
        pos++;
        return out;
    }

    private JsonNode dictOrSet() {
        expect('{');
        skipWs();
        if (peek() == '}') {
            pos++;
            return Json.object();
        }
        JsonNode firstKey = value();
        skipWs();
        if (peek() != ':') { // a set
            ArrayNode out = Json.array();
            out.add(firstKey);
            while (peek() == ',') {
                pos++;
                skipWs();
                if (peek() == '}') break;
                out.add(value());
                skipWs();
            }
            if (peek() != '}') throw fail("expected ',' or '}' in a set but found " + describe());
            pos++;
            return out;
        }
        ObjectNode out = Json.object();
        JsonNode key = firstKey;
        while (true) {
            expect(':');
            out.set(key.isTextual() ? key.textValue() : PyLiteral.str(key), value());
            skipWs();
            if (peek() == ',') {
                pos++;
                skipWs();
            }
            if (peek() == '}') {
                pos++;
                return out;
            }
            if (pos >= s.length()) throw fail("unclosed '{'");
            key = value();
        }
    }

    private JsonNode number() {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
            skipWs();
        }
        boolean negative = s.charAt(start) == '-';
        int numStart = pos;
        if (s.startsWith("0x", pos) || s.startsWith("0X", pos) || s.startsWith("0o", pos) || s.startsWith("0O", pos)
                || s.startsWith("0b", pos) || s.startsWith("0B", pos)) {
            int radix = switch (Character.toLowerCase(s.charAt(pos + 1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            pos += 2;
            int ds = pos;
            while (pos < s.length() && (Character.digit(s.charAt(pos), radix) >= 0 || s.charAt(pos) == '_')) pos++;
            if (ds == pos) throw fail("bad number literal");
            BigInteger v = new BigInteger(s.substring(ds, pos).replace("_", ""), radix);
            return intNode(negative ? v.negate() : v);
        }
        boolean isFloat = false;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
        if (peek() == '.') {
            isFloat = true;
            pos++;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            int save = pos;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            int ds = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (ds == pos) pos = save;
            else isFloat = true;
        }
        String text = s.substring(numStart, pos).replace("_", "");
        if (text.isEmpty() || text.equals(".")) {
            pos = start;
            throw fail("expected a number but found " + describe());
        }
        if (pos < s.length() && (isIdentPart(s.charAt(pos)))) {
            pos = start;
            throw fail("bad number literal");
        }
        if (isFloat) {
            double d = Double.parseDouble(text);
            return Json.NODES.numberNode(negative ? -d : d);
        }
        BigInteger v = new BigInteger(text);
        return intNode(negative ? v.negate() : v);
    }

    static JsonNode intNode(BigInteger v) {
        if (v.bitLength() < 32) return Json.NODES.numberNode(v.intValue());
        if (v.bitLength() < 64) return Json.NODES.numberNode(v.longValue());
        return Json.NODES.numberNode(v);
    }

    /** One or more adjacent string literals, concatenated as Python does. */
    private String strings() {
        return strings(false);
    }

    private String strings(boolean rawFirst) {
        StringBuilder sb = new StringBuilder();
        boolean raw = rawFirst;
        while (true) {
            sb.append(oneString(raw));
            int save = pos;
            skipWs();
            raw = false;
            if (peek() == '\'' || peek() == '"') continue;
            if (isIdentStart(peek())) {
                int p = pos;
                while (p < s.length() && isIdentPart(s.charAt(p))) p++;
                String pre = s.substring(pos, p).toLowerCase();
                if (p < s.length() && (s.charAt(p) == '\'' || s.charAt(p) == '"') && pre.length() <= 2 && pre.matches("[rbuf]+")) {
                    raw = pre.contains("r");
                    pos = p;
                    continue;
                }
            }
            pos = save;
            return sb.toString();
        }
    }

    private String oneString(boolean raw) {
        char q = s.charAt(pos);
        String triple = String.valueOf(q).repeat(3);
        boolean isTriple = s.startsWith(triple, pos);
        int start = pos;
        pos += isTriple ? 3 : 1;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                pos = start;
                throw fail("unterminated string");
            }
            char c = s.charAt(pos);
            if (isTriple ? s.startsWith(triple, pos) : c == q) {
                pos += isTriple ? 3 : 1;
                return sb.toString();
            }
            if (!isTriple && c == '\n') {
                pos = start;
                throw fail("unterminated string");
            }
            if (c == '\\' && pos + 1 < s.length()) {
                char e = s.charAt(pos + 1);
                if (raw) {
                    sb.append(c).append(e);
                    pos += 2;
                    continue;
                }
                pos += 2;
                switch (e) {
                    case '\n' -> {}
                    case '\\' -> sb.append('\\');
                    case '\'' -> sb.append('\'');
                    case '"' -> sb.append('"');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'v' -> sb.append('\u000b');
                    case 'a' -> sb.append('\u0007');
                    case '/' -> sb.append('/'); // JSON's escape; Python would keep the backslash
                    case 'x' -> sb.append((char) hex(2));
                    case 'u' -> sb.append((char) hex(4));
                    case 'U' -> sb.appendCodePoint(hex(8));
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int v = e - '0';
                            for (int k = 0; k < 2 && pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '7'; k++) {
                                v = v * 8 + (s.charAt(pos++) - '0');
                            }
                            sb.append((char) v);
                        } else {
                            sb.append('\\').append(e); // unknown escapes stay, as in Python
                        }
                    }
                }
                continue;
            }
            sb.append(c);
            pos++;
        }
    }

    private int hex(int n) {
        if (pos + n > s.length()) throw fail("truncated escape");
        try {
            int v = Integer.parseInt(s.substring(pos, pos + n), 16);
            pos += n;
            return v;
        } catch (NumberFormatException e) {
            throw fail("bad escape");
        }
    }
}
