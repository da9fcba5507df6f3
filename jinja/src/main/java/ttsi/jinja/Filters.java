package ttsi.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** jinja2's builtin filters (the ones chat templates use), plus transformers' {@code tojson}. */
final class Filters {
    private Filters() {}

    @FunctionalInterface
    interface Filter {
        Object apply(Renderer r, Object value, List<Object> args, Map<String, Object> kw);
    }

    private static final Map<String, Filter> FILTERS = new HashMap<>();
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    static boolean exists(String name) {
        return FILTERS.containsKey(name);
    }

    static Object apply(Renderer r, String name, Object value, List<Object> args, Map<String, Object> kw) {
        Filter f = FILTERS.get(name);
        if (f == null) throw new TemplateException("TemplateRuntimeError", "No filter named '" + name + "' found.");
        return f.apply(r, value, args, kw);
    }

    private static void def(Filter f, String... names) {
        for (String n : names) FILTERS.put(n, f);
    }

    /** jinja2's soft_str: str() of anything, "" for Undefined. */
    private static String s(Object v) {
        return Py.str(v);
    }

    private static Object lowerIfStr(Object v) {
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    /** jinja2's make_attrgetter: "a.b.0" looks up item by item; "" or null is the value itself. */
    static Object attrPath(Object item, Object attribute) {
        if (attribute == null) return item;
        if (!(attribute instanceof String path)) return Py.getitem(item, attribute);
        for (String part : path.split("\\.", -1)) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part)
                    : part;
            item = Py.getitem(item, key);
        }
        return item;
    }

    private static final Comparator<Object> PY_ORDER = Py::sortCompare;

    static {
        def((r, v, a, k) -> {
            Params.bind("abs", a, k);
            if (v instanceof Double d) return Math.abs(d);
            if (Py.isInt(v)) return Py.fromBig(Py.big(v).abs());
            if (v instanceof Undefined u) throw u.error();
            throw TemplateException.type("bad operand type for abs(): '" + Py.typeName(v) + "'");
        }, "abs");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("attr", a, k, "name", Params.REQUIRED);
            String name = s(p[0]);
            if (v instanceof Map) {
                if (Methods.DICT.contains(name)) return Py.getattr(v, name);
                return Undefined.attribute(v, name);
            }
            return Py.getattr(v, name);
        }, "attr");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("batch", a, k, "linecount", Params.REQUIRED, "fill_with", null);
            long n = Py.toLong(p[0], "linecount");
            if (n <= 0) throw TemplateException.value("batch size must be positive");
            List<Object> out = new ArrayList<>();
            List<Object> cur = new ArrayList<>();
            for (Object item : Py.iterate(v)) {
                if (cur.size() == n) {
                    out.add(cur);
                    cur = new ArrayList<>();
                }
                cur.add(item);
            }
            if (!cur.isEmpty()) {
                if (p[1] != null) while (cur.size() < n) cur.add(p[1]);
                out.add(cur);
            }
            return out;
        }, "batch");
        def((r, v, a, k) -> {
            Params.bind("capitalize", a, k);
            return Py.capitalize(s(v));
        }, "capitalize");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("center", a, k, "width", 80L);
            return Methods.pad(s(v), Py.toLong(p[0], "width"), " ", "center");
        }, "center");
        def((r, v, a, k) -> {
            Params.bind("length", a, k);
            return Py.len(v);
        }, "length", "count");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("default", a, k, "default_value", "", "boolean", false);
            if (v instanceof Undefined || (Py.truthy(p[1]) && !Py.truthy(v))) return p[0];
            return v;
        }, "default", "d");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("dictsort", a, k, "case_sensitive", false, "by", "key", "reverse", false);
            if (!(v instanceof Map<?, ?> m)) throw TemplateException.type("'" + Py.typeName(v) + "' object has no attribute 'items'");
            int pos = switch (s(p[1])) {
                case "key" -> 0;
                case "value" -> 1;
                default -> throw new TemplateException("FilterArgumentError",
                        "You can only sort by either \"key\" or \"value\"");
            };
            boolean cs = Py.truthy(p[0]);
            List<Object> items = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) items.add(PyTuple.of(e.getKey(), e.getValue()));
            Comparator<Object> cmp = Comparator.comparing(t -> {
                Object x = ((PyTuple) t).items().get(pos);
                return cs ? x : lowerIfStr(x);
            }, PY_ORDER);
            items.sort(Py.truthy(p[2]) ? cmp.reversed() : cmp);
            return items;
        }, "dictsort");
        def((r, v, a, k) -> {
            Params.bind("escape", a, k);
            return escape(s(v));
        }, "escape", "e", "forceescape");
        def((r, v, a, k) -> {
            Params.bind("first", a, k);
            List<Object> items = Py.iterate(v);
            return items.isEmpty() ? Undefined.hint("No first item, sequence was empty.") : items.get(0);
        }, "first");
        def((r, v, a, k) -> {
            Params.bind("last", a, k);
            if (v instanceof Map || v instanceof Undefined) {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? Undefined.hint("No last item, sequence was empty.")
                        : items.get(items.size() - 1);
            }
            if (!(v instanceof String || v instanceof List || v instanceof PyTuple)) {
                throw TemplateException.type("'" + Py.typeName(v) + "' object is not reversible");
            }
            List<Object> items = Py.iterate(v);
            return items.isEmpty() ? Undefined.hint("No last item, sequence was empty.") : items.get(items.size() - 1);
        }, "last");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("float", a, k, "default", 0.0);
            Double d = toFloat(v);
            return d == null ? p[0] : d;
        }, "float");
        def((r, v, a, k) -> {
            if (!a.isEmpty() && !k.isEmpty()) {
                throw new TemplateException("FilterArgumentError",
                        "can't handle positional and keyword arguments at the same time");
            }
            return PercentFormat.format(s(v), k.isEmpty() ? new PyTuple(a) : new LinkedHashMap<Object, Object>(k));
        }, "format");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("indent", a, k, "width", 4L, "first", false, "blank", false);
            String ind = p[0] instanceof String w ? w : " ".repeat((int) Math.max(0, Py.toLong(p[0], "width")));
            String text = s(v) + "\n"; // jinja2 appends a newline so that splitlines keeps a trailing empty line
            List<String> lines = Py.splitlines(text, false);
            StringBuilder sb = new StringBuilder();
            if (Py.truthy(p[2])) {
                sb.append(String.join("\n" + ind, lines));
            } else {
                sb.append(lines.isEmpty() ? "" : lines.get(0));
                for (int i = 1; i < lines.size(); i++) {
                    sb.append('\n');
                    if (!lines.get(i).isEmpty()) sb.append(ind);
                    sb.append(lines.get(i));
                }
            }
            return Py.truthy(p[1]) ? ind + sb : sb.toString();
        }, "indent");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("int", a, k, "default", 0L, "base", 10L);
            return toInt(v, p[0], (int) Py.toLong(p[1], "base"));
        }, "int");
        def((r, v, a, k) -> {
            Params.bind("items", a, k);
            if (v instanceof Undefined) return new ArrayList<>();
            if (!(v instanceof Map<?, ?> m)) throw TemplateException.type("Can only get item pairs from a mapping.");
            List<Object> out = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.add(PyTuple.of(e.getKey(), e.getValue()));
            return out;
        }, "items");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("join", a, k, "d", "", "attribute", null);
            StringBuilder sb = new StringBuilder();
            String sep = s(p[0]);
            boolean first = true;
            for (Object item : Py.iterate(v)) {
                if (!first) sb.append(sep);
                first = false;
                sb.append(s(p[1] == null ? item : attrPath(item, p[1])));
            }
            return sb.toString();
        }, "join");
        def((r, v, a, k) -> {
            Params.bind("list", a, k);
            return new ArrayList<>(Py.iterate(v));
        }, "list");
        def((r, v, a, k) -> {
            Params.bind("lower", a, k);
            return s(v).toLowerCase(Locale.ROOT);
        }, "lower");
        def((r, v, a, k) -> {
            Params.bind("upper", a, k);
            return s(v).toUpperCase(Locale.ROOT);
        }, "upper");
        def(Filters::map, "map");
        def((r, v, a, k) -> minMax(v, a, k, "min"), "min");
        def((r, v, a, k) -> minMax(v, a, k, "max"), "max");
        def((r, v, a, k) -> selectOrReject(r, v, a, k, false, true), "select");
        def((r, v, a, k) -> selectOrReject(r, v, a, k, false, false), "reject");
        def((r, v, a, k) -> selectOrReject(r, v, a, k, true, true), "selectattr");
        def((r, v, a, k) -> selectOrReject(r, v, a, k, true, false), "rejectattr");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("replace", a, k, "old", Params.REQUIRED, "new", Params.REQUIRED, "count", null);
            long count = p[2] == null ? -1 : Py.toLong(p[2], "count");
            return Methods.replace(s(v), s(p[0]), s(p[1]), count);
        }, "replace");
        def((r, v, a, k) -> {
            Params.bind("reverse", a, k);
            if (v instanceof String str) return new StringBuilder(str).reverse().toString();
            List<Object> items = new ArrayList<>(Py.iterate(v));
            Collections.reverse(items);
            return items;
        }, "reverse");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("round", a, k, "precision", 0L, "method", "common");
            String method = s(p[1]);
            int prec = (int) Py.toLong(p[0], "precision");
            if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
                throw new TemplateException("FilterArgumentError", "method must be common, ceil or floor");
            }
            if (v instanceof Undefined u) throw u.error();
            if (!Py.isNumber(v)) throw TemplateException.type("type " + Py.typeName(v) + " doesn't define __round__ method");
            if (method.equals("common")) {
                if (Py.isInt(v)) {
                    if (prec >= 0) return Py.fromBig(Py.big(v));
                    return Py.fromBig(new BigDecimal(Py.big(v)).setScale(prec, RoundingMode.HALF_EVEN)
                            .toBigInteger());
                }
                double d = (Double) v;
                if (Double.isNaN(d) || Double.isInfinite(d)) return d;
                return new BigDecimal(d).setScale(prec, RoundingMode.HALF_EVEN).doubleValue();
            }
            double scale = Math.pow(10, prec);
            double x = Py.toDouble(v) * scale;
            return (method.equals("ceil") ? Math.ceil(x) : Math.floor(x)) / scale;
        }, "round");
        def((r, v, a, k) -> {
            Params.bind("safe", a, k);
            return s(v);
        }, "safe");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("sort", a, k, "reverse", false, "case_sensitive", false, "attribute", null);
            boolean cs = Py.truthy(p[1]);
            List<Object> items = new ArrayList<>(Py.iterate(v));
            List<String> attrs = p[2] == null ? null : List.of(s(p[2]).split(","));
            Comparator<Object> cmp = Comparator.comparing(item -> {
                if (attrs == null) return cs ? item : lowerIfStr(item);
                List<Object> keys = new ArrayList<>();
                for (String at : attrs) {
                    Object x = attrPath(item, at);
                    keys.add(cs ? x : lowerIfStr(x));
                }
                return keys;
            }, PY_ORDER);
            items.sort(Py.truthy(p[0]) ? cmp.reversed() : cmp);
            return items;
        }, "sort");
        def((r, v, a, k) -> {
            Params.bind("string", a, k);
            return s(v);
        }, "string");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("sum", a, k, "attribute", null, "start", 0L);
            Object total = p[1];
            for (Object item : Py.iterate(v)) total = Py.add(total, p[0] == null ? item : attrPath(item, p[0]));
            return total;
        }, "sum");
        def((r, v, a, k) -> {
            Params.bind("title", a, k);
            StringBuilder sb = new StringBuilder();
            String str = s(v);
            Matcher m = WORD_BEGINNING.matcher(str);
            int last = 0;
            List<String> parts = new ArrayList<>();
            while (m.find()) {
                parts.add(str.substring(last, m.start()));
                parts.add(m.group());
                last = m.end();
            }
            parts.add(str.substring(last));
            for (String item : parts) {
                if (item.isEmpty()) continue;
                int cp = item.codePointAt(0);
                sb.append(new String(Character.toChars(cp)).toUpperCase(Locale.ROOT))
                        .append(item.substring(Character.charCount(cp)).toLowerCase(Locale.ROOT));
            }
            return sb.toString();
        }, "title");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("tojson", a, k, "ensure_ascii", false, "indent", null, "separators", null,
                    "sort_keys", false);
            return PyJson.dumps(v, Py.truthy(p[0]), p[1], p[2], Py.truthy(p[3]));
        }, "tojson");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("trim", a, k, "chars", null);
            return Py.strip(s(v), p[0] == null ? null : s(p[0]), true, true);
        }, "trim");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("truncate", a, k, "length", 255L, "killwords", false, "end", "...",
                    "leeway", null);
            String str = s(v), end = s(p[2]);
            long length = Py.toLong(p[0], "length"), leeway = p[3] == null ? 5 : Py.toLong(p[3], "leeway");
            if (length < Py.len(end)) {
                throw new TemplateException("AssertionError", "expected length >= " + Py.len(end) + ", got " + length);
            }
            if (Py.len(str) <= length + leeway) return str;
            String head = Py.sliceString(str, new SliceValue(null, length - Py.len(end), null));
            if (Py.truthy(p[1])) return head + end;
            int sp = head.lastIndexOf(' ');
            return (sp >= 0 ? head.substring(0, sp) : head) + end;
        }, "truncate");
        def((r, v, a, k) -> {
            Object[] p = Params.bind("unique", a, k, "case_sensitive", false, "attribute", null);
            boolean cs = Py.truthy(p[0]);
            List<Object> seen = new ArrayList<>();
            List<Object> out = new ArrayList<>();
            for (Object item : Py.iterate(v)) {
                Object key = p[1] == null ? item : attrPath(item, p[1]);
                if (!cs) key = lowerIfStr(key);
                if (!Py.contains(seen, key)) {
                    seen.add(key);
                    out.add(item);
                }
            }
            return out;
        }, "unique");
        def((r, v, a, k) -> {
            Params.bind("wordcount", a, k);
            Matcher m = WORD.matcher(s(v));
            long n = 0;
            while (m.find()) n++;
            return n;
        }, "wordcount");
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Python float(v), or null when it would raise TypeError/ValueError. */
    private static Double toFloat(Object v) {
        if (Py.isNumber(v)) return Py.toDouble(v);
        if (v instanceof Undefined u) throw u.error();
        if (!(v instanceof String str)) return null;
        String t = Py.strip(str, null, true, true).replace("_", "");
        String lower = t.toLowerCase(Locale.ROOT);
        switch (lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower) {
            case "inf", "infinity" -> {
                return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            case "nan" -> {
                return Double.NaN;
            }
            default -> {}
        }
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) return null;
        return Double.parseDouble(t);
    }

    private static Object toInt(Object v, Object dflt, int base) {
        if (v instanceof Undefined u) throw u.error();
        if (v instanceof String str) {
            String t = Py.strip(str, null, true, true).replace("_", "");
            String digits = t;
            boolean neg = digits.startsWith("-");
            if (neg || digits.startsWith("+")) digits = digits.substring(1);
            String prefix = digits.length() > 1 ? digits.substring(0, 2).toLowerCase(Locale.ROOT) : "";
            if ((base == 16 && prefix.equals("0x")) || (base == 8 && prefix.equals("0o"))
                    || (base == 2 && prefix.equals("0b"))) {
                digits = digits.substring(2);
            }
            try {
                if (!digits.isEmpty() && Character.digit(digits.charAt(0), base) >= 0) {
                    BigInteger b = new BigInteger(digits, base);
                    return Py.fromBig(neg ? b.negate() : b);
                }
            } catch (NumberFormatException e) {
                // fall through to int(float(value)), as jinja2 does for "42.23"
            }
        }
        if (Py.isInt(v)) return Py.fromBig(Py.big(v));
        Double d = toFloat(v);
        if (d == null) return dflt;
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new TemplateException(Double.isNaN(d) ? "ValueError" : "OverflowError",
                    "cannot convert float " + Py.floatRepr(d) + " to integer");
        }
        return Py.fromBig(new BigDecimal(d).toBigInteger());
    }

    private static Object map(Renderer r, Object v, List<Object> a, Map<String, Object> k) {
        List<Object> items = Py.iterate(v);
        List<Object> out = new ArrayList<>(items.size());
        if (a.isEmpty() && k.containsKey("attribute")) {
            Object attribute = k.get("attribute");
            Object dflt = k.getOrDefault("default", Py.MISSING);
            for (String key : k.keySet()) {
                if (!key.equals("attribute") && !key.equals("default")) {
                    throw new TemplateException("FilterArgumentError", "Unexpected keyword argument '" + key + "'");
                }
            }
            for (Object item : items) {
                Object x = attrPath(item, attribute);
                out.add(x instanceof Undefined && dflt != Py.MISSING ? dflt : x);
            }
            return out;
        }
        if (a.isEmpty()) throw new TemplateException("FilterArgumentError", "map requires a filter argument");
        String name = s(a.get(0));
        List<Object> rest = a.subList(1, a.size());
        for (Object item : items) out.add(apply(r, name, item, rest, k));
        return out;
    }

    private static Object minMax(Object v, List<Object> a, Map<String, Object> k, String which) {
        Object[] p = Params.bind(which, a, k, "case_sensitive", false, "attribute", null);
        boolean cs = Py.truthy(p[0]);
        Object best = Py.MISSING, bestKey = null;
        for (Object item : Py.iterate(v)) {
            Object key = p[1] == null ? item : attrPath(item, p[1]);
            if (!cs) key = lowerIfStr(key);
            if (best == Py.MISSING || Py.order(which.equals("min") ? "<" : ">", key, bestKey)) {
                best = item;
                bestKey = key;
            }
        }
        return best == Py.MISSING ? Undefined.hint("No aggregated item, sequence was empty.") : best;
    }

    private static Object selectOrReject(Renderer r, Object v, List<Object> a, Map<String, Object> k,
            boolean byAttr, boolean select) {
        int off = 0;
        Object attr = null;
        if (byAttr) {
            if (a.isEmpty()) throw new TemplateException("FilterArgumentError", "Missing parameter for attribute name");
            attr = a.get(0);
            off = 1;
        }
        String test = a.size() > off ? s(a.get(off)) : null;
        List<Object> testArgs = a.size() > off + 1 ? a.subList(off + 1, a.size()) : List.of();
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(v)) {
            Object x = byAttr ? attrPath(item, attr) : item;
            boolean ok = test == null ? Py.truthy(x) : Predicates.apply(test, x, testArgs, k);
            if (ok == select) out.add(item);
        }
        return out;
    }
}
