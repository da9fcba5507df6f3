package ttsi.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code {% macro %}} (or the {@code caller} of a call block), closed over the frame that defined it. */
final class Macro {
    final String name;
    final List<String> params;
    private final List<Ast.Expr> defaults;
    private final List<Ast.Stmt> body;
    private final Scope closure;
    private final Renderer renderer;

    Macro(String name, List<String> params, List<Ast.Expr> defaults, List<Ast.Stmt> body, Scope closure,
            Renderer renderer) {
        this.name = name;
        this.params = params;
        this.defaults = defaults;
        this.body = body;
        this.closure = closure;
        this.renderer = renderer;
    }

    String call(List<Object> args, Map<String, Object> kwargs) {
        Scope s = new Scope(closure);
        Map<String, Object> extra = new LinkedHashMap<>(kwargs);
        Object caller = extra.remove("caller");
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            Object v;
            if (i < args.size()) {
                if (extra.containsKey(p)) {
                    throw TemplateException.type("macro '" + name + "' got multiple values for argument '" + p + "'");
                }
                v = args.get(i);
            } else if (extra.containsKey(p)) {
                v = extra.remove(p);
            } else if (defaults.get(i) != null) {
                v = renderer.eval(defaults.get(i), s);
            } else {
                v = Undefined.hint("parameter '" + p + "' was not provided");
            }
            s.set(p, v);
        }
        List<Object> varargs = args.size() > params.size() ? args.subList(params.size(), args.size()) : List.of();
        s.set("varargs", new PyTuple(new ArrayList<>(varargs)));
        s.set("kwargs", extra);
        if (caller != null) s.set("caller", caller);
        StringBuilder out = new StringBuilder();
        renderer.exec(body, s, out);
        return out.toString();
    }
}
