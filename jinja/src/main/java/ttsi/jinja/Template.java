package ttsi.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Jinja2 template, parsed once and rendered any number of times, with the semantics of jinja2's
 * {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])} as used by
 * Hugging Face transformers for chat templates (its {@code tojson} filter and {@code generation} tag included).
 * Autoescaping is off; undefined values behave like jinja2's default {@code Undefined}.
 *
 * <p>Variables are plain Java values: String, Integer/Long, Double, Boolean, null, List, Map (keep insertion order,
 * e.g. LinkedHashMap), Jackson JsonNode, and {@link JinjaFunction} for callables. Syntax and runtime errors are
 * {@link TemplateException}s naming the template line.
 */
public final class Template {
    private final String name;
    private final List<Ast.Stmt> body;

    private Template(String name, List<Ast.Stmt> body) {
        this.name = name;
        this.body = body;
    }

    public static Template parse(String source) {
        return parse("template", source);
    }

    /** @param name used in error messages */
    public static Template parse(String name, String source) {
        try {
            return new Template(name, new Parser(new Lexer(source).tokenize()).parseTemplate());
        } catch (TemplateException e) {
            throw e.named(name);
        }
    }

    public String name() {
        return name;
    }

    public String render(Map<String, ?> variables) {
        Scope globals = new Scope(null);
        globals.set("range", (JinjaFunction) Template::range);
        globals.set("dict", (JinjaFunction) (args, kw) -> {
            Map<Object, Object> out = new LinkedHashMap<>();
            if (!args.isEmpty()) {
                if (args.size() > 1 || !(args.get(0) instanceof Map<?, ?> m)) {
                    throw TemplateException.type("dict() takes at most one mapping argument here");
                }
                out.putAll(m);
            }
            out.putAll(kw);
            return out;
        });
        globals.set("namespace", (JinjaFunction) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (!(a instanceof Map<?, ?> m)) throw TemplateException.type("namespace() takes a mapping");
                for (Map.Entry<?, ?> e : m.entrySet()) ns.attrs.put(Py.str(e.getKey()), e.getValue());
            }
            ns.attrs.putAll(kw);
            return ns;
        });
        Scope context = new Scope(globals);
        if (variables != null) {
            for (Map.Entry<String, ?> e : variables.entrySet()) context.set(e.getKey(), Py.normalize(e.getValue()));
        }
        StringBuilder out = new StringBuilder();
        try {
            new Renderer().exec(body, context, out);
        } catch (TemplateException e) {
            throw e.named(name);
        }
        return out.toString();
    }

    private static Object range(List<Object> args, Map<String, Object> kw) {
        if (!kw.isEmpty()) throw TemplateException.type("range() takes no keyword arguments");
        if (args.isEmpty() || args.size() > 3) {
            throw TemplateException.type("range expected at most 3 arguments, got " + args.size());
        }
        for (Object a : args) {
            if (!Py.isInt(a)) {
                throw TemplateException.type("'" + Py.typeName(a) + "' object cannot be interpreted as an integer");
            }
        }
        long start = 0, stop, step = 1;
        if (args.size() == 1) {
            stop = Py.toLong(args.get(0), "range");
        } else {
            start = Py.toLong(args.get(0), "range");
            stop = Py.toLong(args.get(1), "range");
            if (args.size() == 3) step = Py.toLong(args.get(2), "range");
        }
        if (step == 0) throw TemplateException.value("range() arg 3 must not be zero");
        long n = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        if (n > 100_000) { // the sandbox's MAX_RANGE
            throw new TemplateException("OverflowError", "Range too big. The sandbox blocks ranges larger than "
                    + "MAX_RANGE (100000).");
        }
        List<Object> out = new ArrayList<>((int) n);
        for (long i = 0, v = start; i < n; i++, v += step) out.add(v);
        return out;
    }
}
