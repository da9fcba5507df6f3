package ttsi.jinja;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template source into tokens with jinja2's whitespace rules for an environment with
 * {@code trim_blocks=True, lstrip_blocks=True}: newlines are normalised to "\n" and one trailing newline is dropped;
 * {@code {%-}/{{-}/{#-} strip all whitespace before the tag, {@code -%}/-}}/-#}} all whitespace after it;
 * otherwise a block or comment tag alone on its line (after spaces/tabs) takes that indentation with it, and the
 * newline right after {@code %}} or {@code #}} is removed; {@code {%+} and {@code +%}} turn these off.
 */
final class Lexer {
    enum T { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(T type, String text, Object value, int line) {
        boolean isOp(String s) {
            return type == T.OP && text.equals(s);
        }

        boolean isName(String s) {
            return type == T.NAME && text.equals(s);
        }

        String describe() {
            return switch (type) {
                case EOF -> "end of template";
                case VAR_END -> "end of print statement";
                case BLOCK_END -> "end of statement block";
                case DATA -> "template data";
                case STRING -> "string";
                default -> "'" + text + "'";
            };
        }
    }

    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(?:\\d+_)*\\d+(?:(?:\\.(?:\\d+_)*\\d+)?[eE][+\\-]?(?:\\d+_)*\\d+|\\.(?:\\d+_)*\\d+)");
    private static final Pattern INT = Pattern.compile(
            "0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\\da-fA-F])+|[1-9](?:_?\\d)*|0(?:_?0)*");
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*");
    private static final Pattern STRING = Pattern.compile(
            "'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"", Pattern.DOTALL);
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%[-+]?\\s*raw\\s*(?:-%}\\s*|%})",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final String[] OPS2 = {"//", "**", "==", "!=", ">=", "<="};
    private static final String OPS1 = "+-/*%~[](){}><=.:|,;";

    private final String src;
    private final int[] lineStarts;
    private final List<Token> out = new ArrayList<>();

    Lexer(String source) {
        this.src = normalize(source);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < src.length(); i++) if (src.charAt(i) == '\n') starts.add(i + 1);
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** "\r\n" and "\r" become "\n"; one trailing newline is dropped (keep_trailing_newline=False). */
    static String normalize(String s) {
        String t = s.replace("\r\n", "\n").replace('\r', '\n');
        return t.endsWith("\n") ? t.substring(0, t.length() - 1) : t;
    }

    private int lineOf(int pos) {
        int lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= pos) lo = mid;
            else hi = mid - 1;
        }
        return lo + 1;
    }

    List<Token> tokenize() {
        int n = src.length();
        int pos = 0;
        boolean lineStarting = true; // the text consumed so far ends a line
        while (pos < n) {
            int start = nextTag(pos);
            if (start < 0) {
                data(src.substring(pos), pos);
                break;
            }
            char kind = src.charAt(start + 1);
            int p = start + 2;
            char sign = p < n && (src.charAt(p) == '-' || src.charAt(p) == '+') ? src.charAt(p) : 0;
            if (sign != 0) p++;
            data(leadingText(src.substring(pos, start), sign, kind != '{', lineStarting), pos);
            if (kind == '#') {
                pos = comment(start, p);
            } else if (kind == '%' && lookingAt(RAW_BEGIN, start)) {
                Matcher m = RAW_BEGIN.matcher(src).region(start, n);
                m.lookingAt();
                pos = raw(start, m.end());
            } else {
                out.add(new Token(kind == '{' ? T.VAR_BEGIN : T.BLOCK_BEGIN, src.substring(start, p), null,
                        lineOf(start)));
                pos = tag(p, kind);
            }
            lineStarting = pos > 0 && src.charAt(pos - 1) == '\n';
        }
        out.add(new Token(T.EOF, "", null, lineOf(n)));
        return out;
    }

    /** Text before a tag with the tag's left-side whitespace control applied. */
    private static String leadingText(String text, char sign, boolean lstrips, boolean lineStarting) {
        if (sign == '-') return Py.strip(text, null, false, true);
        if (sign == '+' || !lstrips) return text;
        int l = text.lastIndexOf('\n') + 1;
        if ((l > 0 || lineStarting) && l < text.length() && allSpace(text, l)) return text.substring(0, l);
        return text;
    }

    private static boolean allSpace(String s, int from) {
        for (int i = from; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (!Py.isSpace(cp)) return false;
            i += Character.charCount(cp);
        }
        return true;
    }

    private int nextTag(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    private boolean lookingAt(Pattern p, int at) {
        return p.matcher(src).region(at, src.length()).lookingAt();
    }

    private void data(String text, int pos) {
        if (!text.isEmpty()) out.add(new Token(T.DATA, text, text, lineOf(pos)));
    }

    private int skipSpace(int p) {
        while (p < src.length()) {
            int cp = src.codePointAt(p);
            if (!Py.isSpace(cp)) break;
            p += Character.charCount(cp);
        }
        return p;
    }

    private int comment(int start, int p) {
        int i = src.indexOf("#}", p);
        if (i < 0) throw TemplateException.syntax("Missing end of comment tag", lineOf(start));
        char before = i - 1 >= p ? src.charAt(i - 1) : 0;
        int end = i + 2;
        if (before == '-') return skipSpace(end);
        if (before == '+') return end;
        return end < src.length() && src.charAt(end) == '\n' ? end + 1 : end;
    }

    private int raw(int start, int bodyStart) {
        Matcher m = RAW_END.matcher(src);
        if (!m.find(bodyStart)) throw TemplateException.syntax("Missing end of raw directive", lineOf(start));
        String sign = m.group(1);
        boolean lineStarting = src.charAt(bodyStart - 1) == '\n';
        data(leadingText(src.substring(bodyStart, m.start()), sign.isEmpty() ? 0 : sign.charAt(0), true,
                lineStarting), bodyStart);
        return m.end();
    }

    /** Tokens of one {{ }} or {% %} tag starting after its opening delimiter; returns the position after it. */
    private int tag(int p, char kind) {
        int n = src.length();
        int tagLine = lineOf(p);
        Deque<Character> brackets = new ArrayDeque<>();
        while (true) {
            if (p >= n) {
                throw TemplateException.syntax("unexpected end of template, expected '"
                        + (kind == '{' ? "end of print statement" : "end of statement block") + "'", tagLine);
            }
            if (brackets.isEmpty()) {
                int line = lineOf(p);
                if (kind == '%') {
                    if (src.startsWith("+%}", p)) return end(T.BLOCK_END, p, p + 3, line);
                    if (src.startsWith("-%}", p)) return skipSpace(end(T.BLOCK_END, p, p + 3, line));
                    if (src.startsWith("%}", p)) {
                        int e = end(T.BLOCK_END, p, p + 2, line);
                        return e < n && src.charAt(e) == '\n' ? e + 1 : e;
                    }
                } else {
                    if (src.startsWith("-}}", p)) return skipSpace(end(T.VAR_END, p, p + 3, line));
                    if (src.startsWith("}}", p)) return end(T.VAR_END, p, p + 2, line);
                }
            }
            int cp = src.codePointAt(p);
            if (Py.isSpace(cp)) {
                p += Character.charCount(cp);
                continue;
            }
            p = token(p, brackets);
        }
    }

    private int end(T type, int from, int to, int line) {
        out.add(new Token(type, src.substring(from, to), null, line));
        return to;
    }

    private int token(int p, Deque<Character> brackets) {
        int line = lineOf(p);
        Matcher m;
        if ((m = match(FLOAT, p)) != null) {
            out.add(new Token(T.FLOAT, m.group(), Double.parseDouble(m.group().replace("_", "")), line));
            return m.end();
        }
        if ((m = match(INT, p)) != null) {
            out.add(new Token(T.INT, m.group(), parseInt(m.group()), line));
            return m.end();
        }
        if ((m = match(NAME, p)) != null) {
            out.add(new Token(T.NAME, m.group(), null, line));
            return m.end();
        }
        if ((m = match(STRING, p)) != null) {
            String body = m.group(1) != null ? m.group(1) : m.group(2);
            out.add(new Token(T.STRING, m.group(), unescape(Lexer.normalizeNewlines(body), line), line));
            return m.end();
        }
        char c = src.charAt(p);
        if (c == '\'' || c == '"') throw TemplateException.syntax("unexpected char " + Py.strRepr("" + c), line);
        for (String op : OPS2) {
            if (src.startsWith(op, p)) {
                out.add(new Token(T.OP, op, null, line));
                return p + 2;
            }
        }
        if (OPS1.indexOf(c) >= 0) {
            if (c == '(' || c == '[' || c == '{') {
                brackets.push(c);
            } else if (c == ')' || c == ']' || c == '}') {
                if (brackets.isEmpty()) throw TemplateException.syntax("unexpected '" + c + "'", line);
                char open = brackets.pop();
                char expected = open == '(' ? ')' : open == '[' ? ']' : '}';
                if (c != expected) {
                    throw TemplateException.syntax("unexpected '" + c + "', expected '" + expected + "'", line);
                }
            }
            out.add(new Token(T.OP, String.valueOf(c), null, line));
            return p + 1;
        }
        throw TemplateException.syntax("unexpected char " + Py.strRepr(new String(Character.toChars(
                src.codePointAt(p)))) + " at " + p, line);
    }

    private Matcher match(Pattern pattern, int p) {
        Matcher m = pattern.matcher(src).region(p, src.length()).useTransparentBounds(true);
        return m.lookingAt() ? m : null;
    }

    private static String normalizeNewlines(String s) {
        return s.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static Object parseInt(String text) {
        String t = text.replace("_", "").toLowerCase(java.util.Locale.ROOT);
        BigInteger v;
        if (t.startsWith("0b")) v = new BigInteger(t.substring(2), 2);
        else if (t.startsWith("0o")) v = new BigInteger(t.substring(2), 8);
        else if (t.startsWith("0x")) v = new BigInteger(t.substring(2), 16);
        else v = new BigInteger(t);
        return Py.fromBig(v);
    }

    /** Python string-literal escapes (jinja2 decodes string tokens with "unicode-escape"). */
    static String unescape(String s, int line) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char d = s.charAt(++i);
            switch (d) {
                case '\n' -> {}
                case '\\', '\'', '"' -> sb.append(d);
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = d == 'x' ? 2 : d == 'u' ? 4 : 8;
                    if (!isHex(s, i + 1, len)) {
                        throw TemplateException.syntax("truncated \\" + d + " escape in string literal", line);
                    }
                    int cp = Integer.parseInt(s.substring(i + 1, i + 1 + len), 16);
                    if (!Character.isValidCodePoint(cp)) {
                        throw TemplateException.syntax("illegal Unicode character in string literal", line);
                    }
                    sb.appendCodePoint(cp);
                    i += len;
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
                        throw TemplateException.syntax("malformed \\N character escape in string literal", line);
                    }
                    try {
                        sb.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                    } catch (IllegalArgumentException e) {
                        throw TemplateException.syntax("unknown Unicode character name in string literal", line);
                    }
                    i = close;
                }
                default -> {
                    if (d >= '0' && d <= '7') {
                        int v = d - '0', k = 1;
                        while (k < 3 && i + 1 < s.length() && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '7') {
                            v = v * 8 + (s.charAt(++i) - '0');
                            k++;
                        }
                        sb.appendCodePoint(v);
                    } else if (d < 0x80) {
                        sb.append('\\').append(d);
                    } else {
                        // jinja2 escapes non-ASCII text before decoding, so "\é" reads as the text "\xe9"
                        int cp = s.codePointAt(i);
                        if (Character.charCount(cp) == 2) i++;
                        sb.append('\\').append(cp <= 0xff ? String.format("x%02x", cp)
                                : cp <= 0xffff ? String.format("u%04x", cp) : String.format("U%08x", cp));
                    }
                }
            }
        }
        return sb.toString();
    }

    private static boolean isHex(String s, int from, int len) {
        if (from + len > s.length()) return false;
        for (int i = from; i < from + len; i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }
}
