package ttsi.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Python methods of str, dict and list/tuple that templates call ({@code s.strip()}, {@code d.items()}). */
final class Methods {
    private Methods() {}

    /** Every name Python's str has, so that lookups answer like Python; the ones we run are in {@link #callStr}. */
    static final Set<String> STR = Set.of("capitalize", "casefold", "center", "count", "encode", "endswith",
            "expandtabs", "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal",
            "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join",
            "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace", "rfind",
            "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
            "swapcase", "title", "translate", "upper", "zfill");
    static final Set<String> DICT = Set.of("clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem",
            "setdefault", "update", "values");
    static final Set<String> LIST = Set.of("append", "clear", "copy", "count", "extend", "index", "insert", "pop",
            "remove", "reverse", "sort");
    private static final Set<String> DICT_MUTATORS = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST_MUTATORS = Set.of("append", "clear", "extend", "insert", "pop", "remove",
            "reverse", "sort");

    /** ImmutableSandboxedEnvironment refuses methods that change a list or dict. */
    static boolean isUnsafe(Object obj, String name) {
        if (obj instanceof Map) return DICT_MUTATORS.contains(name);
        if (obj instanceof List) return LIST_MUTATORS.contains(name);
        return false;
    }

    static Object call(Renderer r, Object self, String name, List<Object> args, Map<String, Object> kw) {
        if (self instanceof String s) return callStr(s, name, args, kw);
        if (self instanceof Map<?, ?> m) return callDict(m, name, args, kw);
        if (self instanceof List<?> || self instanceof PyTuple) {
            List<?> l = self instanceof PyTuple t ? t.items() : (List<?>) self;
            return callList(self, l, name, args, kw);
        }
        if (self instanceof LoopInfo loop) {
            if (name.equals("cycle")) return loop.cycle(args);
            if (name.equals("changed")) return loop.changed(args);
        }
        throw unsupported(self, name);
    }

    private static TemplateException unsupported(Object self, String name) {
        return new TemplateException("NotImplementedError",
                Py.typeName(self) + "." + name + "() is not supported by this template interpreter");
    }

    private static Object callDict(Map<?, ?> m, String name, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "items" -> {
                Params.bind("items", args, kw);
                List<Object> out = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.add(PyTuple.of(e.getKey(), e.getValue()));
                return out;
            }
            case "keys" -> {
                Params.bind("keys", args, kw);
                return new ArrayList<Object>(m.keySet());
            }
            case "values" -> {
                Params.bind("values", args, kw);
                return new ArrayList<Object>(m.values());
            }
            case "get" -> {
                Object[] a = Params.bind("get", args, kw, "key", Params.REQUIRED, "default", null);
                Object v = Py.mapGet(m, a[0]);
                return v == Py.MISSING ? a[1] : v;
            }
            case "copy" -> {
                Params.bind("copy", args, kw);
                return new java.util.LinkedHashMap<Object, Object>(m);
            }
            default -> throw unsupported(m, name);
        }
    }

    private static Object callList(Object self, List<?> l, String name, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "count" -> {
                Object[] a = Params.bind("count", args, kw, "value", Params.REQUIRED);
                long n = 0;
                for (Object o : l) if (Py.eq(o, a[0])) n++;
                return n;
            }
            case "index" -> {
                Object[] a = Params.bind("index", args, kw, "value", Params.REQUIRED);
                for (int i = 0; i < l.size(); i++) if (Py.eq(l.get(i), a[0])) return (long) i;
                throw TemplateException.value(Py.repr(a[0]) + " is not in " + Py.typeName(self));
            }
            case "copy" -> {
                if (self instanceof List) {
                    Params.bind("copy", args, kw);
                    return new ArrayList<Object>(l);
                }
                throw unsupported(self, name);
            }
            default -> throw unsupported(self, name);
        }
    }

    static Object callStr(String s, String name, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "strip", "lstrip", "rstrip" -> {
                Object[] a = Params.bind(name, args, kw, "chars", null);
                String chars = a[0] == null ? null : str(a[0], name);
                return Py.strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "split", "rsplit" -> {
                Object[] a = Params.bind(name, args, kw, "sep", null, "maxsplit", -1L);
                String sep = a[0] == null ? null : str(a[0], name);
                long max = Py.toLong(a[1], "maxsplit");
                if (sep != null && sep.isEmpty()) throw TemplateException.value("empty separator");
                return name.equals("split") ? split(s, sep, max) : rsplit(s, sep, max);
            }
            case "splitlines" -> {
                Object[] a = Params.bind(name, args, kw, "keepends", false);
                return new ArrayList<Object>(Py.splitlines(s, Py.truthy(a[0])));
            }
            case "startswith", "endswith" -> {
                Object[] a = Params.bind(name, args, kw, "prefix", Params.REQUIRED, "start", null, "end", null);
                String sub = substring(s, a[1], a[2]);
                List<Object> options = a[0] instanceof PyTuple t ? t.items() : List.of(a[0]);
                for (Object o : options) {
                    if (!(o instanceof String p)) {
                        throw TemplateException.type(name + " first arg must be str or a tuple of str, not "
                                + Py.typeName(o));
                    }
                    if (name.equals("startswith") ? sub.startsWith(p) : sub.endsWith(p)) return true;
                }
                return false;
            }
            case "replace" -> {
                Object[] a = Params.bind(name, args, kw, "old", Params.REQUIRED, "new", Params.REQUIRED, "count", -1L);
                return replace(s, str(a[0], name), str(a[1], name), Py.toLong(a[2], "count"));
            }
            case "upper" -> {
                Params.bind(name, args, kw);
                return s.toUpperCase(Locale.ROOT);
            }
            case "lower", "casefold" -> {
                Params.bind(name, args, kw);
                return s.toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                Params.bind(name, args, kw);
                return Py.pyTitle(s);
            }
            case "capitalize" -> {
                Params.bind(name, args, kw);
                return Py.capitalize(s);
            }
            case "swapcase" -> {
                Params.bind(name, args, kw);
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(cp -> {
                    String c = new String(Character.toChars(cp));
                    sb.append(Character.isUpperCase(cp) ? c.toLowerCase(Locale.ROOT)
                            : Character.isLowerCase(cp) ? c.toUpperCase(Locale.ROOT) : c);
                });
                return sb.toString();
            }
            case "find", "rfind", "index", "rindex", "count" -> {
                Object[] a = Params.bind(name, args, kw, "sub", Params.REQUIRED, "start", null, "end", null);
                String sub = str(a[0], name);
                int[] range = cpRange(s, a[1], a[2]);
                String hay = s.substring(range[0], range[1]);
                if (name.equals("count")) {
                    if (sub.isEmpty()) return Py.len(hay) + 1;
                    long n = 0;
                    for (int i = hay.indexOf(sub); i >= 0; i = hay.indexOf(sub, i + sub.length())) n++;
                    return n;
                }
                int i = name.startsWith("r") ? hay.lastIndexOf(sub) : hay.indexOf(sub);
                if (i < 0) {
                    if (name.endsWith("index")) throw TemplateException.value("substring not found");
                    return -1L;
                }
                return (long) s.codePointCount(0, range[0] + i);
            }
            case "join" -> {
                Object[] a = Params.bind(name, args, kw, "iterable", Params.REQUIRED);
                StringBuilder sb = new StringBuilder();
                List<Object> items = Py.iterate(a[0]);
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String part)) {
                        throw TemplateException.type("sequence item " + i + ": expected str instance, "
                                + Py.typeName(items.get(i)) + " found");
                    }
                    if (i > 0) sb.append(s);
                    sb.append(part);
                }
                return sb.toString();
            }
            case "format" -> {
                return StrFormat.format(s, args, kw);
            }
            case "isalpha", "isdigit", "isalnum", "isspace", "isnumeric", "isdecimal", "isascii" -> {
                Params.bind(name, args, kw);
                if (s.isEmpty()) return name.equals("isascii");
                return s.codePoints().allMatch(cp -> switch (name) {
                    case "isalpha" -> Character.isLetter(cp);
                    case "isdigit", "isdecimal" -> Character.isDigit(cp);
                    case "isnumeric" -> Character.isDigit(cp) || Character.getNumericValue(cp) >= 0;
                    case "isalnum" -> Character.isLetterOrDigit(cp);
                    case "isascii" -> cp < 0x80;
                    default -> Py.isSpace(cp);
                });
            }
            case "islower" -> {
                Params.bind(name, args, kw);
                return Py.isLower(s);
            }
            case "isupper" -> {
                Params.bind(name, args, kw);
                return Py.isUpper(s);
            }
            case "removeprefix" -> {
                String p = str(Params.bind(name, args, kw, "prefix", Params.REQUIRED)[0], name);
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = str(Params.bind(name, args, kw, "suffix", Params.REQUIRED)[0], name);
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = str(Params.bind(name, args, kw, "sep", Params.REQUIRED)[0], name);
                if (sep.isEmpty()) throw TemplateException.value("empty separator");
                int i = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (i < 0) return name.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
                return PyTuple.of(s.substring(0, i), sep, s.substring(i + sep.length()));
            }
            case "center", "ljust", "rjust" -> {
                Object[] a = Params.bind(name, args, kw, "width", Params.REQUIRED, "fillchar", " ");
                return pad(s, Py.toLong(a[0], "width"), str(a[1], name), name);
            }
            case "zfill" -> {
                long width = Py.toLong(Params.bind(name, args, kw, "width", Params.REQUIRED)[0], "width");
                long n = Py.len(s);
                if (n >= width) return s;
                String zeros = "0".repeat((int) (width - n));
                if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
                    return s.charAt(0) + zeros + s.substring(1);
                }
                return zeros + s;
            }
            default -> throw unsupported(s, name);
        }
    }

    private static String str(Object o, String fn) {
        if (o instanceof String s) return s;
        throw TemplateException.type(fn + "() argument must be str, not " + Py.typeName(o));
    }

    static String pad(String s, long width, String fill, String how) {
        if (Py.len(fill) != 1) throw TemplateException.type("The fill character must be exactly one character long");
        long n = Py.len(s);
        if (n >= width) return s;
        long total = width - n;
        long left = switch (how) {
            case "ljust" -> 0;
            case "rjust" -> total;
            // Python's center puts the odd space on the left when the width is odd
            default -> total / 2 + (total & width & 1);
        };
        return fill.repeat((int) left) + s + fill.repeat((int) (total - left));
    }

    /** Char range [start, end) of s for Python code-point slice bounds (None = open). */
    private static int[] cpRange(String s, Object start, Object end) {
        int n = s.codePointCount(0, s.length());
        long a = start == null ? 0 : Py.toLong(start, "slice indices");
        long b = end == null ? n : Py.toLong(end, "slice indices");
        if (a < 0) a = Math.max(0, a + n);
        if (b < 0) b = Math.max(0, b + n);
        a = Math.min(a, n);
        b = Math.min(b, n);
        if (b < a) b = a;
        return new int[] {s.offsetByCodePoints(0, (int) a), s.offsetByCodePoints(0, (int) b)};
    }

    private static String substring(String s, Object start, Object end) {
        if (start == null && end == null) return s;
        int[] r = cpRange(s, start, end);
        return s.substring(r[0], r[1]);
    }

    static String replace(String s, String old, String neu, long count) {
        if (count < 0) return s.replace(old, neu);
        StringBuilder sb = new StringBuilder();
        int from = 0;
        long done = 0;
        if (old.isEmpty()) {
            int i = 0;
            while (done < count && i <= s.length()) {
                sb.append(neu);
                done++;
                if (i < s.length()) {
                    int cp = s.codePointAt(i);
                    sb.appendCodePoint(cp);
                    i += Character.charCount(cp);
                } else {
                    i++;
                }
            }
            if (i <= s.length()) sb.append(s.substring(Math.min(i, s.length())));
            return sb.toString();
        }
        while (done < count) {
            int i = s.indexOf(old, from);
            if (i < 0) break;
            sb.append(s, from, i).append(neu);
            from = i + old.length();
            done++;
        }
        return sb.append(s.substring(from)).toString();
    }

    private static boolean spaceAt(String s, int i) {
        return Py.isSpace(s.codePointAt(i));
    }

    static List<Object> split(String s, String sep, long max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && spaceAt(s, i)) i += Character.charCount(s.codePointAt(i));
                if (i >= n) break;
                if (max >= 0 && out.size() >= max) {
                    out.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !spaceAt(s, j)) j += Character.charCount(s.codePointAt(j));
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        int from = 0;
        while (max < 0 || out.size() < max) {
            int i = s.indexOf(sep, from);
            if (i < 0) break;
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    static List<Object> rsplit(String s, String sep, long max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && Py.isSpace(s.codePointBefore(j))) j -= Character.charCount(s.codePointBefore(j));
                if (j <= 0) break;
                if (max >= 0 && out.size() >= max) {
                    out.add(s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !Py.isSpace(s.codePointBefore(i))) i -= Character.charCount(s.codePointBefore(i));
                out.add(s.substring(i, j));
                j = i;
            }
            java.util.Collections.reverse(out);
            return out;
        }
        int end = s.length();
        while (max < 0 || out.size() < max) {
            int i = s.lastIndexOf(sep, end - sep.length());
            if (i < 0) break;
            out.add(s.substring(i + sep.length(), end));
            end = i;
        }
        out.add(s.substring(0, end));
        java.util.Collections.reverse(out);
        return out;
    }
}
