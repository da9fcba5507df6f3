package ttsi.jinja;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Python's printf-style {@code "fmt" % args}. */
final class PercentFormat {
    private PercentFormat() {}

    static String format(String fmt, Object args) {
        List<Object> values = args instanceof PyTuple t ? t.items() : List.of(args == null ? NONE : args);
        Map<?, ?> mapping = args instanceof Map<?, ?> m ? m : null;
        int next = 0;
        boolean usedMapping = false;
        StringBuilder sb = new StringBuilder();
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (++i >= n) throw TemplateException.value("incomplete format");
            if (fmt.charAt(i) == '%') {
                sb.append('%');
                continue;
            }
            Object value = Py.MISSING;
            if (fmt.charAt(i) == '(') {
                if (mapping == null) throw TemplateException.type("format requires a mapping");
                int depth = 1, k = i + 1;
                while (k < n && depth > 0) {
                    if (fmt.charAt(k) == '(') depth++;
                    else if (fmt.charAt(k) == ')') depth--;
                    k++;
                }
                if (depth > 0) throw TemplateException.value("incomplete format key");
                String key = fmt.substring(i + 1, k - 1);
                value = Py.mapGet(mapping, key);
                if (value == Py.MISSING) throw new TemplateException("KeyError", Py.repr(key));
                usedMapping = true;
                i = k;
            }
            boolean left = false, zero = false, alt = false;
            char sign = '-';
            for (; i < n && "-+ #0".indexOf(fmt.charAt(i)) >= 0; i++) {
                switch (fmt.charAt(i)) {
                    case '-' -> left = true;
                    case '0' -> zero = true;
                    case '#' -> alt = true;
                    case '+' -> sign = '+';
                    default -> { if (sign != '+') sign = ' '; }
                }
            }
            int width = 0;
            if (i < n && fmt.charAt(i) == '*') {
                if (next >= values.size()) throw TemplateException.type("not enough arguments for format string");
                width = (int) Py.toLong(values.get(next++), "* wants int");
                if (width < 0) {
                    left = true;
                    width = -width;
                }
                i++;
            } else {
                int w = i;
                while (i < n && Character.isDigit(fmt.charAt(i))) i++;
                if (i > w) width = Integer.parseInt(fmt.substring(w, i));
            }
            int precision = -1;
            if (i < n && fmt.charAt(i) == '.') {
                i++;
                if (i < n && fmt.charAt(i) == '*') {
                    if (next >= values.size()) throw TemplateException.type("not enough arguments for format string");
                    precision = (int) Py.toLong(values.get(next++), "* wants int");
                    i++;
                } else {
                    int p = i;
                    while (i < n && Character.isDigit(fmt.charAt(i))) i++;
                    precision = i > p ? Integer.parseInt(fmt.substring(p, i)) : 0;
                }
            }
            while (i < n && "hlL".indexOf(fmt.charAt(i)) >= 0) i++;
            if (i >= n) throw TemplateException.value("incomplete format");
            char conv = fmt.charAt(i);
            if (value == Py.MISSING) {
                if (mapping != null && values.size() == 1 && values.get(0) == mapping) {
                    value = mapping;
                } else {
                    if (next >= values.size()) throw TemplateException.type("not enough arguments for format string");
                    value = values.get(next++);
                }
            }
            if (value == NONE) value = null;
            String body;
            String signStr = "";
            boolean numeric = true;
            switch (conv) {
                case 's', 'r', 'a' -> {
                    body = conv == 's' ? Py.str(value) : Py.repr(value);
                    if (precision >= 0 && Py.len(body) > precision) {
                        body = body.substring(0, body.offsetByCodePoints(0, precision));
                    }
                    numeric = false;
                }
                case 'd', 'i', 'u', 'x', 'X', 'o', 'c' -> {
                    if (conv == 'c') {
                        body = value instanceof String s ? s : new String(Character.toChars((int) Py.toLong(value, "%c")));
                        numeric = false;
                        break;
                    }
                    BigInteger v;
                    if (Py.isInt(value)) v = Py.big(value);
                    else if (value instanceof Double d && "diu".indexOf(conv) >= 0) {
                        v = new java.math.BigDecimal(d).toBigInteger();
                    } else {
                        throw TemplateException.type("%" + conv + " format: "
                                + ("diu".indexOf(conv) >= 0 ? "a real number" : "an integer") + " is required, not "
                                + Py.typeName(value));
                    }
                    body = NumberFormat.formatInt(v, conv == 'i' || conv == 'u' ? 'd' : conv, alt);
                    if (precision >= 0 && body.length() < precision) body = "0".repeat(precision - body.length()) + body;
                    signStr = v.signum() < 0 ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
                }
                case 'f', 'F', 'e', 'E', 'g', 'G' -> {
                    if (!Py.isNumber(value)) {
                        throw TemplateException.type("must be real number, not " + Py.typeName(value));
                    }
                    double d = Py.toDouble(value);
                    body = NumberFormat.formatFloat(d, conv, precision < 0 ? 6 : precision, alt);
                    signStr = d < 0 || (d == 0 && 1 / d < 0) ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
                }
                default -> throw TemplateException.value("unsupported format character '" + conv + "'");
            }
            char align = left ? '<' : (zero && numeric ? '=' : '>');
            sb.append(NumberFormat.pad(signStr, body, width, zero && numeric && !left ? '0' : ' ', align));
        }
        if (!usedMapping && mapping == null && next < values.size()) {
            throw TemplateException.type("not all arguments converted during string formatting");
        }
        return sb.toString();
    }

    /** Stand-in for None inside List.of. */
    private static final Object NONE = new Object();
}
