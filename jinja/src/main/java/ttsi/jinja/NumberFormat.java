package ttsi.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/** Python's number formatting shared by {@code str.format}, {@code %} and the {@code format} filter. */
final class NumberFormat {
    private NumberFormat() {}

    /** Digits of |x| for types f F e E g G % (and 'r' = repr-like default of format()), without sign. */
    static String formatFloat(double x, char type, int precision, boolean alt) {
        double a = Math.abs(x);
        if (Double.isNaN(a)) return Character.isUpperCase(type) ? "NAN" : "nan";
        if (Double.isInfinite(a)) return Character.isUpperCase(type) ? "INF" : "inf";
        switch (type) {
            case 'f', 'F' -> {
                String s = new BigDecimal(a).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
                return alt && precision == 0 ? s + "." : s;
            }
            case '%' -> {
                return formatFloat(a * 100, 'f', precision, alt) + "%";
            }
            case 'e', 'E' -> {
                return exponent(a, precision, alt, type == 'E');
            }
            case 'g', 'G' -> {
                int p = precision == 0 ? 1 : precision;
                if (a == 0) return alt ? "0." + "0".repeat(p - 1) : "0";
                BigDecimal r = new BigDecimal(a).round(new java.math.MathContext(p, RoundingMode.HALF_EVEN));
                int exp = r.precision() - r.scale() - 1;
                String s;
                if (exp >= -4 && exp < p) s = new BigDecimal(a).setScale(p - 1 - exp, RoundingMode.HALF_EVEN).toPlainString();
                else s = exponent(a, p - 1, alt, type == 'G');
                if (!alt) s = stripZeros(s);
                return s;
            }
            default -> {
                return Py.floatRepr(a);
            }
        }
    }

    private static String stripZeros(String s) {
        int e = s.indexOf('e') >= 0 ? s.indexOf('e') : s.indexOf('E');
        String mant = e >= 0 ? s.substring(0, e) : s, rest = e >= 0 ? s.substring(e) : "";
        if (mant.indexOf('.') >= 0) {
            mant = mant.replaceAll("0+$", "");
            if (mant.endsWith(".")) mant = mant.substring(0, mant.length() - 1);
        }
        return mant + rest;
    }

    private static String exponent(double a, int precision, boolean alt, boolean upper) {
        String mant;
        int exp;
        if (a == 0) {
            mant = precision > 0 ? "0." + "0".repeat(precision) : "0";
            exp = 0;
        } else {
            BigDecimal r = new BigDecimal(a).round(new java.math.MathContext(precision + 1, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
            String digits = r.unscaledValue().toString();
            while (digits.length() < precision + 1) digits += "0";
            digits = digits.substring(0, precision + 1);
            mant = precision > 0 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        }
        if (alt && precision == 0) mant += ".";
        String es = String.valueOf(Math.abs(exp));
        return mant + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (es.length() < 2 ? "0" + es : es);
    }

    /** Digits of |v| in base d/x/X/o/b, with 0x-style prefix when alt. */
    static String formatInt(BigInteger v, char type, boolean alt) {
        BigInteger a = v.abs();
        return switch (type) {
            case 'x' -> (alt ? "0x" : "") + a.toString(16);
            case 'X' -> (alt ? "0X" : "") + a.toString(16).toUpperCase(java.util.Locale.ROOT);
            case 'o' -> (alt ? "0o" : "") + a.toString(8);
            case 'b' -> (alt ? "0b" : "") + a.toString(2);
            default -> a.toString();
        };
    }

    /** Pads body (already signed) to width: align '<', '>', '^' or '=' (fill after the sign). */
    static String pad(String sign, String body, int width, char fill, char align) {
        int len = sign.codePointCount(0, sign.length()) + body.codePointCount(0, body.length());
        if (len >= width) return sign + body;
        String f = String.valueOf(fill).repeat(width - len);
        return switch (align) {
            case '<' -> sign + body + f;
            case '^' -> {
                int left = (width - len) / 2;
                yield f.substring(0, left) + sign + body + f.substring(left);
            }
            case '=' -> sign + f + body;
            default -> f + sign + body;
        };
    }

    /** Python format(value, spec) for str, int, bool, float and None. */
    static String formatSpec(Object value, String spec) {
        if (spec.isEmpty()) return Py.str(value);
        int i = 0;
        char fill = ' ', align = 0;
        if (spec.length() >= 2 && "<>=^".indexOf(spec.charAt(1)) >= 0) {
            fill = spec.charAt(0);
            align = spec.charAt(1);
            i = 2;
        } else if ("<>=^".indexOf(spec.charAt(0)) >= 0) {
            align = spec.charAt(0);
            i = 1;
        }
        char sign = '-';
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) sign = spec.charAt(i++);
        boolean alt = false;
        if (i < spec.length() && spec.charAt(i) == '#') {
            alt = true;
            i++;
        }
        if (i < spec.length() && spec.charAt(i) == '0') {
            if (align == 0) {
                fill = '0';
                align = '=';
            }
            i++;
        }
        int w = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
        int width = i > w ? Integer.parseInt(spec.substring(w, i)) : 0;
        char grouping = 0;
        if (i < spec.length() && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) grouping = spec.charAt(i++);
        int precision = -1;
        if (i < spec.length() && spec.charAt(i) == '.') {
            int p = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
            precision = Integer.parseInt(spec.substring(p, i));
        }
        char type = i < spec.length() ? spec.charAt(i++) : 0;
        if (i != spec.length()) throw TemplateException.value("Invalid format specifier '" + spec + "'");
        if (value instanceof String s) {
            if (type != 0 && type != 's') throw badType(type, value);
            if (precision >= 0 && Py.len(s) > precision) s = s.substring(0, s.offsetByCodePoints(0, precision));
            return pad("", s, width, fill, align == 0 ? '<' : align);
        }
        if (Py.isInt(value) && "eEfFgG%".indexOf(type) < 0) {
            if (type != 0 && "dxXobcn".indexOf(type) < 0) throw badType(type, value);
            BigInteger v = Py.big(value);
            String body = type == 'c' ? new String(Character.toChars(v.intValue()))
                    : group(formatInt(v, type == 0 || type == 'n' ? 'd' : type, alt), grouping);
            return pad(signOf(v.signum() < 0, sign), body, width, fill, align == 0 ? '>' : align);
        }
        if (Py.isNumber(value)) {
            double d = Py.toDouble(value);
            String body;
            if (type == 0) {
                body = precision < 0 ? Py.floatRepr(Math.abs(d)) : formatFloat(d, 'g', precision, alt);
                if (precision >= 0 && body.matches("[0-9]+")) body = body + ".0";
            } else {
                if ("eEfFgG%".indexOf(type) < 0) throw badType(type, value);
                body = formatFloat(d, type, precision < 0 ? 6 : precision, alt);
            }
            if (grouping != 0) {
                int dot = body.indexOf('.');
                body = group(dot < 0 ? body : body.substring(0, dot), grouping) + (dot < 0 ? "" : body.substring(dot));
            }
            boolean neg = d < 0 || (d == 0 && 1 / d < 0);
            return pad(signOf(neg, sign), body, width, fill, align == 0 ? '>' : align);
        }
        throw TemplateException.type("unsupported format string passed to " + Py.typeName(value) + ".__format__");
    }

    private static TemplateException badType(char type, Object value) {
        return TemplateException.value("Unknown format code '" + type + "' for object of type '"
                + Py.typeName(value) + "'");
    }

    private static String signOf(boolean negative, char sign) {
        if (negative) return "-";
        return sign == '+' ? "+" : sign == ' ' ? " " : "";
    }

    private static String group(String digits, char sep) {
        if (sep == 0 || digits.length() <= 3 || !digits.chars().allMatch(Character::isDigit)) return digits;
        StringBuilder sb = new StringBuilder();
        int first = digits.length() % 3;
        if (first > 0) sb.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3) {
            if (sb.length() > 0) sb.append(sep);
            sb.append(digits, i, i + 3);
        }
        return sb.toString();
    }
}
