package ttsi.jinja;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's builtin tests, the predicates of {@code x is defined}, {@code x is string}, ... */
final class Predicates {
    private Predicates() {}

    private static final Set<String> NAMES = Set.of("boolean", "callable", "defined", "divisibleby", "eq",
            "equalto", "==", "escaped", "even", "false", "filter", "float", "ge", ">=", "gt", "greaterthan", ">",
            "in", "integer", "iterable", "le", "<=", "lower", "lt", "lessthan", "<", "mapping", "ne", "!=", "none",
            "number", "odd", "sameas", "sequence", "string", "test", "true", "undefined", "upper");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "defined" -> {
                Params.bind(name, args, kw);
                return !(v instanceof Undefined);
            }
            case "undefined" -> {
                Params.bind(name, args, kw);
                return v instanceof Undefined;
            }
            case "none" -> {
                Params.bind(name, args, kw);
                return v == null;
            }
            case "boolean" -> {
                Params.bind(name, args, kw);
                return v instanceof Boolean;
            }
            case "true", "false" -> {
                Params.bind(name, args, kw);
                return v instanceof Boolean b && b == name.equals("true");
            }
            case "integer" -> {
                Params.bind(name, args, kw);
                return v instanceof Long || v instanceof java.math.BigInteger;
            }
            case "float" -> {
                Params.bind(name, args, kw);
                return v instanceof Double;
            }
            case "number" -> {
                Params.bind(name, args, kw);
                return Py.isNumber(v);
            }
            case "string" -> {
                Params.bind(name, args, kw);
                return v instanceof String;
            }
            case "mapping" -> {
                Params.bind(name, args, kw);
                return v instanceof Map;
            }
            case "iterable" -> {
                Params.bind(name, args, kw);
                return Py.isIterable(v);
            }
            case "sequence" -> {
                Params.bind(name, args, kw);
                return v instanceof String || v instanceof List || v instanceof PyTuple || v instanceof Map
                        || v instanceof Undefined;
            }
            case "callable" -> {
                Params.bind(name, args, kw);
                return v instanceof JinjaFunction || v instanceof Macro || v instanceof BoundMethod
                        || v instanceof LoopInfo || v instanceof Undefined;
            }
            case "escaped" -> {
                Params.bind(name, args, kw);
                return false;
            }
            case "odd", "even" -> {
                Params.bind(name, args, kw);
                Object r = Py.mod(v, 2L);
                return Py.eq(r, name.equals("odd") ? 1L : 0L);
            }
            case "divisibleby" -> {
                Object[] p = Params.bind(name, args, kw, "num", Params.REQUIRED);
                return Py.eq(Py.mod(v, p[0]), 0L);
            }
            case "lower", "upper" -> {
                Params.bind(name, args, kw);
                String s = Py.str(v);
                return name.equals("lower") ? Py.isLower(s) : Py.isUpper(s);
            }
            case "eq", "equalto", "==" -> {
                return Py.eq(v, Params.bind(name, args, kw, "other", Params.REQUIRED)[0]);
            }
            case "ne", "!=" -> {
                return !Py.eq(v, Params.bind(name, args, kw, "other", Params.REQUIRED)[0]);
            }
            case "lt", "lessthan", "<" -> {
                return Py.order("<", v, Params.bind(name, args, kw, "other", Params.REQUIRED)[0]);
            }
            case "le", "<=" -> {
                return Py.order("<=", v, Params.bind(name, args, kw, "other", Params.REQUIRED)[0]);
            }
            case "gt", "greaterthan", ">" -> {
                return Py.order(">", v, Params.bind(name, args, kw, "other", Params.REQUIRED)[0]);
            }
            case "ge", ">=" -> {
                return Py.order(">=", v, Params.bind(name, args, kw, "other", Params.REQUIRED)[0]);
            }
            case "in" -> {
                return Py.contains(Params.bind(name, args, kw, "seq", Params.REQUIRED)[0], v);
            }
            case "sameas" -> {
                Object other = Params.bind(name, args, kw, "other", Params.REQUIRED)[0];
                if (v == null || other == null || v instanceof Boolean || other instanceof Boolean) {
                    return v == null ? other == null : v.equals(other);
                }
                return v == other;
            }
            case "filter" -> {
                return v instanceof String s && Filters.exists(s);
            }
            case "test" -> {
                return v instanceof String s && exists(s);
            }
            default -> throw new TemplateException("TemplateRuntimeError", "No test named '" + name + "' found.");
        }
    }
}
