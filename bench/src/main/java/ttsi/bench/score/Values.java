package ttsi.bench.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import ttsi.agent.tools.PyLiteral;

/**
 * The one place that normalises values for scoring. Every rule mirrors what an official script does with the
 * value json.loads (or ast) gave it:
 * <ul>
 *   <li>Hammer and Seal-Tools compare {@code str(value)}: 85 equals "85", but 40.7 differs from "40.70" and 2
 *       from 2.0; Hammer drops arguments whose value is "" before comparing.</li>
 *   <li>NexusRaven and BFCL compare Python values with {@code ==}: 1 == 1.0 == True, "1" != 1, lists in order,
 *       dicts by keys.</li>
 *   <li>BFCL compares strings after removing spaces and {@code ,./-_*^}, lowercasing and turning ' into ".</li>
 * </ul>
 */
public final class Values {
    /** Python's type of a JSON value as json.loads would build it. */
    public enum PyType { NONE, BOOL, INT, FLOAT, STR, LIST, DICT }

    private static final Pattern BFCL_STRIP = Pattern.compile("[ ,./\\-_*^]");

    private Values() {}

    public static PyType type(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return PyType.NONE;
        if (v.isBoolean()) return PyType.BOOL;
        if (v.isIntegralNumber()) return PyType.INT;
        if (v.isNumber()) return PyType.FLOAT;
        if (v.isTextual()) return PyType.STR;
        if (v.isArray()) return PyType.LIST;
        if (v.isObject()) return PyType.DICT;
        return PyType.STR;
    }

    /** Python's {@code str(value)}. */
    public static String str(JsonNode v) {
        return PyLiteral.str(v);
    }

    public static boolean isEmptyString(JsonNode v) {
        return v != null && v.isTextual() && v.textValue().isEmpty();
    }

    /** Arguments as Hammer compares them: "" values dropped, the rest as str(value); sorted by name. */
    public static Map<String, String> strArgs(ObjectNode args) {
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!isEmptyString(e.getValue())) out.put(e.getKey(), str(e.getValue()));
        }
        return out;
    }

    /** Number of arguments whose value is not "". */
    public static int nonEmpty(ObjectNode args) {
        int n = 0;
        for (JsonNode v : args) if (!isEmptyString(v)) n++;
        return n;
    }

    /** Python's {@code a == b} on json.loads values (bool counts as 0/1, int equals float numerically). */
    public static boolean pyEquals(JsonNode a, JsonNode b) {
        PyType ta = type(a), tb = type(b);
        if (numeric(ta) && numeric(tb)) {
            BigDecimal x = number(a), y = number(b);
            return x != null && y != null && x.compareTo(y) == 0;
        }
        if (ta != tb) return false;
        return switch (ta) {
            case NONE -> true;
            case STR -> a.textValue().equals(b.textValue());
            case LIST -> {
                if (a.size() != b.size()) yield false;
                for (int i = 0; i < a.size(); i++) if (!pyEquals(a.get(i), b.get(i))) yield false;
                yield true;
            }
            case DICT -> {
                if (a.size() != b.size()) yield false;
                for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!b.has(e.getKey()) || !pyEquals(e.getValue(), b.get(e.getKey()))) yield false;
                }
                yield true;
            }
            default -> false;
        };
    }

    /** {@code value in candidates} with Python's ==. */
    public static boolean pyIn(JsonNode value, Iterable<JsonNode> candidates) {
        for (JsonNode c : candidates) if (pyEquals(value, c)) return true;
        return false;
    }

    private static boolean numeric(PyType t) {
        return t == PyType.BOOL || t == PyType.INT || t == PyType.FLOAT;
    }

    private static BigDecimal number(JsonNode v) {
        if (v.isBoolean()) return v.booleanValue() ? BigDecimal.ONE : BigDecimal.ZERO;
        if (v.isIntegralNumber()) return new BigDecimal(v.bigIntegerValue());
        double d = v.doubleValue();
        return Double.isFinite(d) ? new BigDecimal(d) : null;
    }

    /** BFCL's standardize_string. */
    public static String bfclStandardize(String s) {
        return BFCL_STRIP.matcher(s).replaceAll("").toLowerCase(Locale.ROOT).replace('\'', '"');
    }

    /** A value for a failure message: Python repr, shortened. */
    public static String show(JsonNode v) {
        String r = PyLiteral.repr(v);
        return r.length() > 80 ? r.substring(0, 77) + "..." : r;
    }

    /** A str() form for a failure message, quoted as Python would. */
    public static String showStr(String s) {
        String r = PyLiteral.repr(com.fasterxml.jackson.databind.node.TextNode.valueOf(s));
        return r.length() > 80 ? r.substring(0, 77) + "..." : r;
    }
}
