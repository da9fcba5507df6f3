package ttsi.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics for template values: truthiness, str/repr, equality and ordering, arithmetic, len,
 * iteration, {@code in}, attribute and item lookup as jinja2's sandbox does them.
 *
 * <p>Values are: null (None), Boolean, Long or BigInteger (int), Double (float), String, List, {@link PyTuple},
 * Map (dict, insertion ordered), {@link Undefined}, and the interpreter's own objects.
 *
 * <p>Public: {@link #str}, {@link #repr}, {@link #strRepr}, {@link #floatRepr} and {@link #isPrintable}, the one
 * implementation of Python's printing in ttsi (the agent's {@code PyLiteral} prints through them).
 */
public final class Py {
    private Py() {}

    static final Object MISSING = new Object();

    // ------------------------------------------------------------------ input conversion

    /** Deep copy of a caller's value into template values (ints to Long, maps to LinkedHashMap, ...). */
    static Object normalize(Object v) {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float f) return Double.valueOf(f.toString()); // the float as written, not widened bits
        if (v instanceof BigInteger b) return fromBig(b);
        if (v instanceof BigDecimal d) return d.doubleValue();
        if (v instanceof CharSequence || v instanceof Character) return v.toString();
        if (v instanceof JsonNode n) return JsonValues.fromJson(n);
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(normalize(e.getKey()), normalize(e.getValue()));
            return out;
        }
        if (v instanceof PyTuple t) {
            List<Object> items = new ArrayList<>();
            for (Object o : t.items()) items.add(normalize(o));
            return new PyTuple(items);
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object o : c) out.add(normalize(o));
            return out;
        }
        if (v instanceof Object[] a) {
            List<Object> out = new ArrayList<>(a.length);
            for (Object o : a) out.add(normalize(o));
            return out;
        }
        return v;
    }

    // ------------------------------------------------------------------ types and printing

    static String typeName(Object v) {
        if (v == null) return "NoneType";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Long || v instanceof BigInteger) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof String) return "str";
        if (v instanceof List) return "list";
        if (v instanceof PyTuple) return "tuple";
        if (v instanceof Map) return "dict";
        if (v instanceof Undefined) return "Undefined";
        if (v instanceof Namespace) return "Namespace";
        if (v instanceof LoopInfo) return "LoopContext";
        if (v instanceof Macro) return "Macro";
        if (v instanceof SliceValue) return "slice";
        if (v instanceof BoundMethod) return "builtin_function_or_method";
        if (v instanceof JinjaFunction) return "function";
        return v.getClass().getSimpleName();
    }

    /** jinja2's object_type_repr, used in undefined-attribute messages. */
    static String objectTypeRepr(Object v) {
        if (v == null) return "None";
        if (v instanceof Namespace) return "jinja2.utils.Namespace object";
        if (v instanceof LoopInfo) return "jinja2.runtime.LoopContext object";
        if (v instanceof Macro) return "jinja2.runtime.Macro object";
        return typeName(v) + " object";
    }

    static boolean truthy(Object v) {
        if (v == null) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Long l) return l != 0;
        if (v instanceof Double d) return d != 0.0;
        if (v instanceof BigInteger b) return b.signum() != 0;
        if (v instanceof Collection<?> c) return !c.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        if (v instanceof PyTuple t) return !t.items().isEmpty();
        if (v instanceof Undefined) return false;
        return true;
    }

    /** Python str(v); Undefined prints as "". */
    public static String str(Object v) {
        if (v instanceof String s) return s;
        StringBuilder sb = new StringBuilder();
        appendStr(sb, v);
        return sb.toString();
    }

    /** Python repr(v). */
    public static String repr(Object v) {
        StringBuilder sb = new StringBuilder();
        appendRepr(sb, v);
        return sb.toString();
    }

    private static void appendStr(StringBuilder sb, Object v) {
        if (v instanceof String s) sb.append(s);
        else if (v instanceof Undefined) sb.append("");
        else appendRepr(sb, v);
    }

    private static void appendRepr(StringBuilder sb, Object v) {
        if (v == null) sb.append("None");
        else if (v instanceof Boolean b) sb.append(b ? "True" : "False");
        else if (v instanceof Long || v instanceof BigInteger) sb.append(v);
        else if (v instanceof Double d) sb.append(floatRepr(d));
        else if (v instanceof String s) sb.append(strRepr(s));
        else if (v instanceof Undefined) sb.append("Undefined");
        else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(", ");
                appendRepr(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof PyTuple t) {
            sb.append('(');
            List<Object> l = t.items();
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(", ");
                appendRepr(sb, l.get(i));
            }
            if (l.size() == 1) sb.append(',');
            sb.append(')');
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                appendRepr(sb, e.getKey());
                sb.append(": ");
                appendRepr(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Namespace ns) {
            sb.append("<Namespace ");
            appendRepr(sb, ns.attrs);
            sb.append('>');
        } else if (v instanceof LoopInfo loop) {
            sb.append("<LoopContext ").append(loop.index0 + 1).append('/').append(loop.length).append('>');
        } else if (v instanceof Macro m) {
            sb.append("<Macro ").append(m.name == null ? "anonymous" : strRepr(m.name)).append('>');
        } else if (v instanceof BoundMethod bm) {
            sb.append("<built-in method ").append(bm.name()).append(" of ").append(typeName(bm.receiver()))
                    .append(" object>");
        } else if (v instanceof SliceValue s) {
            sb.append("slice(").append(repr(s.start())).append(", ").append(repr(s.stop())).append(", ")
                    .append(repr(s.step())).append(')');
        } else if (v instanceof JinjaFunction) {
            sb.append("<function>");
        } else {
            sb.append(v);
        }
    }

    /** Python repr(float): shortest round-trip digits, fixed notation for exponents -4..15, else 1e+16 style. */
    public static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        // Double.toString gives the shortest round-trip digits (JDK 19+), as Python's repr does.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        if (bd.precision() == 2) {
            // Java prints at least two digits (4.9E-324) where one may round-trip (Python: 5e-324)
            BigDecimal one = new BigDecimal(Math.abs(d)).round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (one.doubleValue() == Math.abs(d)) bd = one.stripTrailingZeros();
        }
        String digits = bd.unscaledValue().toString();
        int decpt = digits.length() - bd.scale(); // value = 0.DIGITS * 10^decpt
        StringBuilder sb = new StringBuilder();
        if (d < 0) sb.append('-');
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                sb.append("0.").append("0".repeat(-decpt)).append(digits);
            } else if (decpt >= digits.length()) {
                sb.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
            } else {
                sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) sb.append('0');
            sb.append(a);
        }
        return sb.toString();
    }

    /** Python repr(str): single quotes unless the text has ' and no ". */
    public static String strRepr(String s) {
        char quote = (s.indexOf('\'') >= 0 && s.indexOf('"') < 0) ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') sb.append('\\').appendCodePoint(cp);
            else if (cp == '\t') sb.append("\\t");
            else if (cp == '\n') sb.append("\\n");
            else if (cp == '\r') sb.append("\\r");
            else if (cp < 0x20 || cp == 0x7f) sb.append(String.format("\\x%02x", cp));
            else if (cp < 0x7f || isPrintable(cp)) sb.appendCodePoint(cp);
            else if (cp <= 0xff) sb.append(String.format("\\x%02x", cp));
            else if (cp <= 0xffff) sb.append(String.format("\\u%04x", cp));
            else sb.append(String.format("\\U%08x", cp));
        }
        return sb.append(quote).toString();
    }

    /** Python str.isprintable for one code point. */
    public static boolean isPrintable(int cp) {
        if (cp == ' ') return true;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    // ------------------------------------------------------------------ numbers

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof BigInteger || v instanceof Boolean;
    }

    static boolean isNumber(Object v) {
        return isInt(v) || v instanceof Double;
    }

    static BigInteger big(Object v) {
        if (v instanceof Long l) return BigInteger.valueOf(l);
        if (v instanceof BigInteger b) return b;
        if (v instanceof Boolean b) return b ? BigInteger.ONE : BigInteger.ZERO;
        throw new IllegalArgumentException("not an int: " + v);
    }

    static Object fromBig(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    static double toDouble(Object v) {
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l;
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof BigInteger b) return b.doubleValue();
        throw new IllegalArgumentException("not a number: " + v);
    }

    /** An int argument as a Java long (index, count, width); TypeError otherwise. */
    static long toLong(Object v, String what) {
        if (v instanceof Long l) return l;
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof BigInteger b) {
            if (b.bitLength() < 64) return b.longValue();
            throw new TemplateException("OverflowError", "Python int too large to convert to C ssize_t");
        }
        throw TemplateException.type(what + " must be an integer, not '" + typeName(v) + "'");
    }

    private static int compareNumbers(Object a, Object b) {
        if (isInt(a) && isInt(b)) return big(a).compareTo(big(b));
        double x = toDouble(a), y = toDouble(b);
        if (a instanceof Double && b instanceof Double) return x < y ? -1 : (x > y ? 1 : 0); // -0.0 == 0.0
        // int vs float: exact, as Python compares them
        if (Double.isInfinite(x) || Double.isInfinite(y)) return Double.compare(x, y);
        BigDecimal bx = isInt(a) ? new BigDecimal(big(a)) : new BigDecimal(x);
        BigDecimal by = isInt(b) ? new BigDecimal(big(b)) : new BigDecimal(y);
        return bx.compareTo(by);
    }

    private static boolean isNaN(Object v) {
        return v instanceof Double d && d.isNaN();
    }

    // ------------------------------------------------------------------ equality and ordering

    static boolean eq(Object a, Object b) {
        if (a == b) return !isNaN(a);
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (a == null || b == null) return false;
        if (isNumber(a) && isNumber(b)) return !isNaN(a) && !isNaN(b) && compareNumbers(a, b) == 0;
        if (a instanceof String s) return s.equals(b);
        if (a instanceof List<?> x && b instanceof List<?> y) return listEq(x, y);
        if (a instanceof PyTuple x && b instanceof PyTuple y) return listEq(x.items(), y.items());
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                Object o = mapGet(y, e.getKey());
                if (o == MISSING || !eq(e.getValue(), o)) return false;
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean listEq(List<?> x, List<?> y) {
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) if (!eq(x.get(i), y.get(i))) return false;
        return true;
    }

    /** a OP b for OP in &lt; &lt;= &gt; &gt;= with Python's rules. */
    static boolean order(String op, Object a, Object b) {
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (isNumber(a) && isNumber(b)) {
            if (isNaN(a) || isNaN(b)) return false;
            return holds(op, compareNumbers(a, b));
        }
        if (a instanceof String x && b instanceof String y) return holds(op, compareCodePoints(x, y));
        List<?> x = a instanceof List<?> l ? l : null, y = b instanceof List<?> l ? l : null;
        if (a instanceof PyTuple t && b instanceof PyTuple u) {
            x = t.items();
            y = u.items();
        }
        if (x != null && y != null) {
            int n = Math.min(x.size(), y.size());
            for (int i = 0; i < n; i++) {
                if (!eq(x.get(i), y.get(i))) return order(op, x.get(i), y.get(i));
            }
            return holds(op, Integer.compare(x.size(), y.size()));
        }
        throw TemplateException.type("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static boolean holds(String op, int c) {
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> throw new IllegalArgumentException(op);
        };
    }

    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Sort key comparison for sort/min/max/dictsort: Python ordering, but total for equal elements. */
    static int sortCompare(Object a, Object b) {
        if (eq(a, b)) return 0;
        return order("<", a, b) ? -1 : (order(">", a, b) ? 1 : 0);
    }

    // ------------------------------------------------------------------ containers

    /** dict lookup with Python key equality (1 == 1.0 == True); MISSING when absent. */
    static Object mapGet(Map<?, ?> m, Object key) {
        if (key instanceof String || key == null) {
            if (m.containsKey(key)) return m.get(key);
            return MISSING;
        }
        if (key instanceof Undefined || key instanceof List || key instanceof Map) {
            throw TemplateException.type("unhashable type: '" + typeName(key) + "'");
        }
        if (m.containsKey(key)) return m.get(key);
        for (Map.Entry<?, ?> e : m.entrySet()) if (eq(e.getKey(), key)) return e.getValue();
        return MISSING;
    }

    /** d[key] = value with Python key equality: an equal key already there (1 and True) keeps its place. */
    static void mapPut(Map<Object, Object> m, Object key, Object value) {
        if (isNumber(key)) {
            for (Map.Entry<Object, Object> e : m.entrySet()) {
                if (isNumber(e.getKey()) && eq(e.getKey(), key)) {
                    e.setValue(value);
                    return;
                }
            }
        }
        m.put(key, value);
    }

    /** Python iter(v), materialised. */
    static List<Object> iterate(Object v) {
        if (v instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> r = (List<Object>) l;
            return r;
        }
        if (v instanceof PyTuple t) return t.items();
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>(s.length());
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        if (v instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        if (v instanceof Undefined) return List.of();
        throw TemplateException.type("'" + typeName(v) + "' object is not iterable");
    }

    static boolean isIterable(Object v) {
        return v instanceof List || v instanceof PyTuple || v instanceof String || v instanceof Map
                || v instanceof Undefined;
    }

    static long len(Object v) {
        if (v instanceof String s) return s.codePointCount(0, s.length());
        if (v instanceof Collection<?> c) return c.size();
        if (v instanceof Map<?, ?> m) return m.size();
        if (v instanceof PyTuple t) return t.items().size();
        if (v instanceof Undefined) return 0;
        if (v instanceof Namespace ns) return ns.attrs.size();
        throw TemplateException.type("object of type '" + typeName(v) + "' has no len()");
    }

    /** item in container. */
    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String sub)) {
                if (item instanceof Undefined u) throw u.error();
                throw TemplateException.type("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(sub);
        }
        if (container instanceof List<?> l) {
            for (Object o : l) if (eq(o, item)) return true;
            return false;
        }
        if (container instanceof PyTuple t) return contains(t.items(), item);
        if (container instanceof Map<?, ?> m) return mapGet(m, item) != MISSING;
        if (container instanceof Undefined) return false;
        throw TemplateException.type("argument of type '" + typeName(container) + "' is not iterable");
    }

    // ------------------------------------------------------------------ lookup (jinja2 sandbox getattr/getitem)

    /** obj.name: a method of str/dict/list, a dict key, an attribute of a namespace or loop, else Undefined. */
    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) throw u.error();
        if (obj instanceof Map<?, ?> m) {
            if (Methods.DICT.contains(name)) return method(obj, name);
            Object v = mapGet(m, name);
            return v == MISSING ? Undefined.attribute(obj, name) : v;
        }
        if (obj instanceof String && Methods.STR.contains(name)) return method(obj, name);
        if ((obj instanceof List || obj instanceof PyTuple) && Methods.LIST.contains(name)) return method(obj, name);
        if (obj instanceof Namespace ns) {
            Object v = ns.attrs.getOrDefault(name, MISSING);
            return v == MISSING ? Undefined.attribute(obj, name) : v;
        }
        if (obj instanceof LoopInfo loop) {
            Object v = loop.attribute(name);
            return v == MISSING ? Undefined.attribute(obj, name) : v;
        }
        if (obj instanceof Macro m) {
            if (name.equals("name")) return m.name;
            if (name.equals("arguments")) return new PyTuple(new ArrayList<>(m.params));
        }
        return Undefined.attribute(obj, name);
    }

    private static Object method(Object obj, String name) {
        if (Methods.isUnsafe(obj, name)) return Undefined.unsafe(obj, name);
        return new BoundMethod(obj, name);
    }

    /** obj[key]: item first, then (for string keys) attribute, as jinja2's sandbox does. */
    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) throw u.error();
        if (key instanceof SliceValue s) {
            if (obj instanceof String str) return sliceString(str, s);
            if (obj instanceof List<?> l) return sliceList(l, s);
            if (obj instanceof PyTuple t) return new PyTuple(sliceList(t.items(), s));
            return Undefined.element(obj, key);
        }
        if (obj instanceof Map<?, ?> m) {
            Object v = mapGet(m, key);
            if (v != MISSING) return v;
        } else if ((obj instanceof List || obj instanceof PyTuple || obj instanceof String) && isInt(key)) {
            long n = len(obj);
            long i = toLong(key, "index");
            if (i < 0) i += n;
            if (i >= 0 && i < n) {
                if (obj instanceof String s) {
                    int at = s.offsetByCodePoints(0, (int) i);
                    return new String(Character.toChars(s.codePointAt(at)));
                }
                return obj instanceof PyTuple t ? t.items().get((int) i) : ((List<?>) obj).get((int) i);
            }
            return Undefined.element(obj, key);
        }
        if (key instanceof String name) return getattr(obj, name);
        return Undefined.element(obj, key);
    }

    /** Python slice.indices: the selected positions of a sequence of length n. */
    static int[] sliceIndices(SliceValue s, int n) {
        long step = s.step() == null ? 1 : toLong(s.step(), "slice indices");
        if (step == 0) throw TemplateException.value("slice step cannot be zero");
        long lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
        long start = bound(s.start(), step < 0 ? upper : lower, n, lower, upper);
        long stop = bound(s.stop(), step < 0 ? lower : upper, n, lower, upper);
        List<Integer> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) out.add((int) i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long bound(Object v, long dflt, int n, long lower, long upper) {
        if (v == null) return dflt;
        if (!isInt(v)) {
            throw TemplateException.type("slice indices must be integers or None or have an __index__ method");
        }
        long i = toLong(v, "slice indices");
        if (i < 0) return Math.max(i + n, lower);
        return Math.min(i, upper);
    }

    static List<Object> sliceList(List<?> l, SliceValue s) {
        List<Object> out = new ArrayList<>();
        for (int i : sliceIndices(s, l.size())) out.add(l.get(i));
        return out;
    }

    static String sliceString(String str, SliceValue s) {
        int[] cps = str.codePoints().toArray();
        StringBuilder sb = new StringBuilder();
        for (int i : sliceIndices(s, cps.length)) sb.appendCodePoint(cps[i]);
        return sb.toString();
    }

    // ------------------------------------------------------------------ arithmetic

    static Object add(Object a, Object b) {
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return fromBig(big(a).add(big(b)));
            return toDouble(a) + toDouble(b);
        }
        if (a instanceof String x && b instanceof String y) return x + y;
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return out;
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            List<Object> out = new ArrayList<>(x.items());
            out.addAll(y.items());
            return new PyTuple(out);
        }
        if (a instanceof String || a instanceof List || a instanceof PyTuple) {
            String t = typeName(a);
            throw TemplateException.type("can only concatenate " + t + " (not \"" + typeName(b) + "\") to " + t);
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return fromBig(big(a).subtract(big(b)));
            return toDouble(a) - toDouble(b);
        }
        throw unsupported("-", a, b);
    }

    static Object mul(Object a, Object b) {
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) return fromBig(big(a).multiply(big(b)));
            return toDouble(a) * toDouble(b);
        }
        Object seq = isNumber(a) ? b : a, count = isNumber(a) ? a : b;
        if (seq instanceof String || seq instanceof List || seq instanceof PyTuple) {
            if (!isInt(count)) {
                throw TemplateException.type("can't multiply sequence by non-int of type '" + typeName(count) + "'");
            }
            long n = Math.max(0, toLong(count, "count"));
            if (n * Math.max(1, len(seq)) > 10_000_000) throw new TemplateException("MemoryError", "result too large");
            if (seq instanceof String s) return s.repeat((int) n);
            List<?> items = seq instanceof PyTuple t ? t.items() : (List<?>) seq;
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < n; i++) out.addAll(items);
            return seq instanceof PyTuple ? new PyTuple(out) : out;
        }
        throw unsupported("*", a, b);
    }

    static Object truediv(Object a, Object b) {
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            double y = toDouble(b);
            if (y == 0) throw zeroDivision(isInt(a) && isInt(b) ? "division by zero" : "float division by zero");
            if (isInt(a) && isInt(b) && (big(a).bitLength() > 53 || big(b).bitLength() > 53)) {
                // beyond 2^53 a double division would round twice
                return new BigDecimal(big(a)).divide(new BigDecimal(big(b)), new java.math.MathContext(40))
                        .doubleValue();
            }
            return toDouble(a) / y;
        }
        throw unsupported("/", a, b);
    }

    static Object floordiv(Object a, Object b) {
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                BigInteger y = big(b);
                if (y.signum() == 0) throw zeroDivision("integer division or modulo by zero");
                BigInteger[] qr = big(a).divideAndRemainder(y);
                BigInteger q = qr[0];
                if (qr[1].signum() != 0 && qr[1].signum() != y.signum()) q = q.subtract(BigInteger.ONE);
                return fromBig(q);
            }
            double y = toDouble(b);
            if (y == 0) throw zeroDivision("float floor division by zero");
            return Math.floor(toDouble(a) / y);
        }
        throw unsupported("//", a, b);
    }

    static Object mod(Object a, Object b) {
        if (a instanceof String fmt) return PercentFormat.format(fmt, b);
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                BigInteger y = big(b);
                if (y.signum() == 0) throw zeroDivision("integer modulo by zero");
                BigInteger r = big(a).remainder(y);
                if (r.signum() != 0 && r.signum() != y.signum()) r = r.add(y);
                return fromBig(r);
            }
            double x = toDouble(a), y = toDouble(b);
            if (y == 0) throw zeroDivision("float modulo");
            double r = x % y;
            if (r != 0 && ((y < 0) != (r < 0))) r += y;
            return r;
        }
        throw unsupported("%", a, b);
    }

    static Object pow(Object a, Object b) {
        failIfUndefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b) && big(b).signum() >= 0) {
                long e = toLong(b, "exponent");
                if (e > 100_000) throw new TemplateException("OverflowError", "exponent too large");
                return fromBig(big(a).pow((int) e));
            }
            double x = toDouble(a), y = toDouble(b);
            if (x == 0 && y < 0) throw zeroDivision("0.0 cannot be raised to a negative power");
            return Math.pow(x, y);
        }
        throw unsupported("** or pow()", a, b);
    }

    static Object neg(Object a) {
        if (a instanceof Undefined u) throw u.error();
        if (isInt(a)) return fromBig(big(a).negate());
        if (a instanceof Double d) return -d;
        throw TemplateException.type("bad operand type for unary -: '" + typeName(a) + "'");
    }

    static Object pos(Object a) {
        if (a instanceof Undefined u) throw u.error();
        if (isInt(a)) return fromBig(big(a));
        if (a instanceof Double) return a;
        throw TemplateException.type("bad operand type for unary +: '" + typeName(a) + "'");
    }

    private static void failIfUndefined(Object a, Object b) {
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return TemplateException.type("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static TemplateException zeroDivision(String msg) {
        return new TemplateException("ZeroDivisionError", msg);
    }

    // ------------------------------------------------------------------ strings

    /** Python str.isspace for one code point (also what {@code \s} matches in Python's re). */
    static boolean isSpace(int cp) {
        return (cp >= 9 && cp <= 13) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f
                || cp == 0x3000;
    }

    /** Python str.strip/lstrip/rstrip; chars null means whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0, end = s.length();
        if (left) {
            while (start < end) {
                int cp = s.codePointAt(start);
                if (!stripped(cp, chars)) break;
                start += Character.charCount(cp);
            }
        }
        if (right) {
            while (end > start) {
                int cp = s.codePointBefore(end);
                if (!stripped(cp, chars)) break;
                end -= Character.charCount(cp);
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(new String(Character.toChars(cp))) >= 0;
    }

    /** Python str.splitlines line boundaries. */
    static boolean isLineBreak(int cp) {
        return cp == '\n' || cp == '\r' || cp == 0x0b || cp == 0x0c || cp == 0x1c || cp == 0x1d || cp == 0x1e
                || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    }

    static List<String> splitlines(String s, boolean keepends) {
        List<String> out = new ArrayList<>();
        int start = 0, i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isLineBreak(cp)) {
                if (cp == '\r' && next < s.length() && s.charAt(next) == '\n') next++;
                out.add(s.substring(start, keepends ? next : i));
                start = next;
            }
            i = next;
        }
        if (start < s.length()) out.add(s.substring(start));
        return out;
    }

    static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    /** Python str.capitalize: first character title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int cp = s.codePointAt(0);
        int n = Character.charCount(cp);
        return titleCase(cp) + s.substring(n).toLowerCase(java.util.Locale.ROOT);
    }

    static String titleCase(int cp) {
        String t = new String(Character.toChars(cp)).toUpperCase(java.util.Locale.ROOT);
        if (t.codePointCount(0, t.length()) == 1) return new String(Character.toChars(Character.toTitleCase(cp)));
        return t.charAt(0) + t.substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    /** Python str.title: a cased character after an uncased one starts a word. */
    static String pyTitle(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            String c = new String(Character.toChars(cp));
            if (isCased(cp)) {
                sb.append(prevCased ? c.toLowerCase(java.util.Locale.ROOT) : titleCase(cp));
                prevCased = true;
            } else {
                sb.append(c);
                prevCased = false;
            }
        }
        return sb.toString();
    }

    static boolean isLower(String s) {
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) return false;
            if (Character.isLowerCase(cp)) cased = true;
        }
        return cased;
    }

    static boolean isUpper(String s) {
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLowerCase(cp) || Character.isTitleCase(cp)) return false;
            if (Character.isUpperCase(cp)) cased = true;
        }
        return cased;
    }
}
