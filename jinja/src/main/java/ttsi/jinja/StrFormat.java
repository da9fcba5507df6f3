package ttsi.jinja;

import java.util.List;
import java.util.Map;

/** Python's {@code str.format}. */
final class StrFormat {
    private StrFormat() {}

    static String format(String fmt, List<Object> args, Map<String, Object> kw) {
        StringBuilder sb = new StringBuilder();
        int[] auto = {0};
        boolean[] mode = {false, false}; // used automatic, used manual
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c == '}') {
                if (i + 1 < n && fmt.charAt(i + 1) == '}') {
                    sb.append('}');
                    i++;
                    continue;
                }
                throw TemplateException.value("Single '}' encountered in format string");
            }
            if (c != '{') {
                sb.append(c);
                continue;
            }
            if (i + 1 < n && fmt.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
                continue;
            }
            int depth = 1, k = i + 1;
            while (k < n && depth > 0) {
                if (fmt.charAt(k) == '{') depth++;
                else if (fmt.charAt(k) == '}') depth--;
                k++;
            }
            if (depth > 0) throw TemplateException.value("expected '}' before end of string");
            sb.append(field(fmt.substring(i + 1, k - 1), args, kw, auto, mode));
            i = k - 1;
        }
        return sb.toString();
    }

    private static String field(String f, List<Object> args, Map<String, Object> kw, int[] auto, boolean[] mode) {
        String spec = "";
        int colon = indexOutsideBrackets(f, ':');
        if (colon >= 0) {
            spec = format(f.substring(colon + 1), args, kw);
            f = f.substring(0, colon);
        }
        char conv = 0;
        int bang = indexOutsideBrackets(f, '!');
        if (bang >= 0) {
            if (bang + 2 != f.length()) throw TemplateException.value("expected ':' after conversion specifier");
            conv = f.charAt(bang + 1);
            f = f.substring(0, bang);
        }
        int end = 0;
        while (end < f.length() && f.charAt(end) != '.' && f.charAt(end) != '[') end++;
        String first = f.substring(0, end);
        Object value;
        if (first.isEmpty() || first.chars().allMatch(Character::isDigit)) {
            int idx;
            if (first.isEmpty()) {
                if (mode[1]) throw TemplateException.value(
                        "cannot switch from manual field specification to automatic field numbering");
                mode[0] = true;
                idx = auto[0]++;
            } else {
                if (mode[0]) throw TemplateException.value(
                        "cannot switch from automatic field numbering to manual field specification");
                mode[1] = true;
                idx = Integer.parseInt(first);
            }
            if (idx >= args.size()) {
                throw new TemplateException("IndexError", "Replacement index " + idx + " out of range for positional "
                        + "args tuple");
            }
            value = args.get(idx);
        } else {
            if (!kw.containsKey(first)) throw new TemplateException("KeyError", Py.repr(first));
            value = kw.get(first);
        }
        int i = end;
        while (i < f.length()) {
            if (f.charAt(i) == '.') {
                int j = i + 1;
                while (j < f.length() && f.charAt(j) != '.' && f.charAt(j) != '[') j++;
                value = Py.getattr(value, f.substring(i + 1, j));
                i = j;
            } else {
                int j = f.indexOf(']', i);
                if (j < 0) throw TemplateException.value("Missing ']' in format string");
                String key = f.substring(i + 1, j);
                value = Py.getitem(value, key.chars().allMatch(Character::isDigit) && !key.isEmpty()
                        ? (Object) Long.parseLong(key) : key);
                i = j + 1;
            }
        }
        if (value instanceof Undefined u && !(conv == 0 && spec.isEmpty())) throw u.error();
        if (conv == 'r' || conv == 'a') value = Py.repr(value);
        else if (conv == 's') value = Py.str(value);
        else if (conv != 0) throw TemplateException.value("Unknown conversion specifier " + conv);
        return NumberFormat.formatSpec(value, spec);
    }

    private static int indexOutsideBrackets(String s, char c) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '[') depth++;
            else if (ch == ']') depth--;
            else if (ch == c && depth == 0) return i;
        }
        return -1;
    }
}
