package ttsi.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.jinja.Ast.*;

/** Walks the parsed template, writing output; one instance per render. */
final class Renderer {
    enum Signal { NORMAL, BREAK, CONTINUE }

    private int depth;

    // ------------------------------------------------------------------ statements

    Signal exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt s : body) {
            Signal sig = exec(s, scope, out);
            if (sig != Signal.NORMAL) return sig;
        }
        return Signal.NORMAL;
    }

    private Signal exec(Stmt stmt, Scope scope, StringBuilder out) {
        try {
            return execUnchecked(stmt, scope, out);
        } catch (TemplateException e) {
            throw e.atLine(stmt.line());
        } catch (StackOverflowError e) {
            throw new TemplateException("RecursionError", "maximum recursion depth exceeded", stmt.line());
        } catch (RuntimeException e) {
            TemplateException te = new TemplateException("InternalError", e.toString(), stmt.line());
            te.initCause(e);
            throw te;
        }
    }

    private Signal execUnchecked(Stmt stmt, Scope scope, StringBuilder out) {
        switch (stmt) {
            case Text t -> out.append(t.text());
            case Print p -> out.append(Py.str(eval(p.expr(), scope)));
            case If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Py.truthy(eval(i.tests().get(k), scope))) return exec(i.bodies().get(k), scope, out);
                }
                return exec(i.elseBody(), scope, out);
            }
            case For f -> execFor(f, scope, out);
            case Ast.Set s -> assign(s.target(), eval(s.value(), scope), scope);
            case SetBlock s -> {
                StringBuilder sb = new StringBuilder();
                exec(s.body(), new Scope(scope), sb);
                Object v = sb.toString();
                for (FilterCall f : s.filters()) v = applyFilter(f, v, scope);
                assign(s.target(), v, scope);
            }
            case MacroDef m ->
                    scope.set(m.name(), new Macro(m.name(), m.params(), m.defaults(), m.body(), scope, this));
            case CallBlock c -> {
                Macro caller = new Macro("caller", c.params(), c.defaults(), c.body(), scope, this);
                Object fn = eval(c.call().fn(), scope);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(c.call().args(), scope, args, kwargs);
                kwargs.put("caller", caller);
                out.append(Py.str(call(fn, args, kwargs)));
            }
            case FilterBlock f -> {
                StringBuilder sb = new StringBuilder();
                exec(f.body(), new Scope(scope), sb);
                Object v = sb.toString();
                for (FilterCall fc : f.filters()) v = applyFilter(fc, v, scope);
                out.append(Py.str(v));
            }
            case With w -> {
                Scope inner = new Scope(scope);
                for (int k = 0; k < w.targets().size(); k++) {
                    assign(w.targets().get(k), eval(w.values().get(k), scope), inner);
                }
                return exec(w.body(), inner, out);
            }
            case Inline in -> {
                return exec(in.body(), scope, out);
            }
            case Break b -> {
                return Signal.BREAK;
            }
            case Continue c -> {
                return Signal.CONTINUE;
            }
        }
        return Signal.NORMAL;
    }

    private void execFor(For f, Scope scope, StringBuilder out) {
        List<Object> items = Py.iterate(eval(f.iter(), scope));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (Py.truthy(eval(f.filter(), s))) kept.add(item);
            }
            items = kept;
        } else {
            items = new ArrayList<>(items); // the body cannot change what we iterate
        }
        if (items.isEmpty()) {
            exec(f.elseBody(), new Scope(scope), out);
            return;
        }
        LoopInfo loop = new LoopInfo(items, 0); // depth only grows in recursive loops, which we do not support
        for (int i = 0; i < items.size(); i++) {
            loop.index0 = i;
            Scope s = new Scope(scope); // a fresh frame per iteration, as jinja2 has
            s.set("loop", loop);
            assign(f.target(), items.get(i), s);
            if (exec(f.body(), s, out) == Signal.BREAK) break;
        }
    }

    private void assign(Target target, Object value, Scope scope) {
        switch (target) {
            case NameTarget n -> scope.set(n.name(), value);
            case NsTarget ns -> {
                Object obj = scope.lookup(ns.ns());
                if (!(obj instanceof Namespace n)) {
                    throw new TemplateException("TemplateRuntimeError",
                            "cannot assign attribute on non-namespace object", ns.line());
                }
                n.attrs.put(ns.attr(), value);
            }
            case TupleTarget t -> {
                List<Object> items = Py.iterate(value);
                int want = t.items().size();
                if (items.size() > want) {
                    throw TemplateException.value("too many values to unpack (expected " + want + ")");
                }
                if (items.size() < want) {
                    throw TemplateException.value("not enough values to unpack (expected " + want + ", got "
                            + items.size() + ")");
                }
                for (int i = 0; i < want; i++) assign(t.items().get(i), items.get(i), scope);
            }
        }
    }

    // ------------------------------------------------------------------ expressions

    Object eval(Expr e, Scope scope) {
        try {
            return evalUnchecked(e, scope);
        } catch (TemplateException ex) {
            throw ex.atLine(e.line());
        }
    }

    private Object evalUnchecked(Expr expr, Scope scope) {
        switch (expr) {
            case Const c -> {
                return c.value();
            }
            case Name n -> {
                Object v = scope.lookup(n.name());
                return v == Py.MISSING ? Undefined.name(n.name()) : v;
            }
            case GetAttr g -> {
                return Py.getattr(eval(g.obj(), scope), g.name());
            }
            case GetItem g -> {
                Object obj = eval(g.obj(), scope);
                return Py.getitem(obj, eval(g.key(), scope));
            }
            case Slice s -> {
                return new SliceValue(s.start() == null ? null : eval(s.start(), scope),
                        s.stop() == null ? null : eval(s.stop(), scope),
                        s.step() == null ? null : eval(s.step(), scope));
            }
            case Call c -> {
                Object fn = eval(c.fn(), scope);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(c.args(), scope, args, kwargs);
                return call(fn, args, kwargs);
            }
            case Filter f -> {
                return applyFilter(f.filter(), eval(f.value(), scope), scope);
            }
            case Test t -> {
                Object v = eval(t.value(), scope);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(t.args(), scope, args, kwargs);
                return Predicates.apply(t.name(), v, args, kwargs);
            }
            case Not n -> {
                return !Py.truthy(eval(n.value(), scope));
            }
            case Unary u -> {
                Object v = eval(u.value(), scope);
                return u.op().equals("-") ? Py.neg(v) : Py.pos(v);
            }
            case Binary b -> {
                Object l = eval(b.left(), scope);
                Object r = eval(b.right(), scope);
                return switch (b.op()) {
                    case "+" -> Py.add(l, r);
                    case "-" -> Py.sub(l, r);
                    case "*" -> Py.mul(l, r);
                    case "/" -> Py.truediv(l, r);
                    case "//" -> Py.floordiv(l, r);
                    case "%" -> Py.mod(l, r);
                    case "**" -> Py.pow(l, r);
                    default -> throw new IllegalStateException(b.op());
                };
            }
            case And a -> {
                Object l = eval(a.left(), scope);
                return Py.truthy(l) ? eval(a.right(), scope) : l;
            }
            case Or o -> {
                Object l = eval(o.left(), scope);
                return Py.truthy(l) ? l : eval(o.right(), scope);
            }
            case Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), scope);
                    if (!compare(c.ops().get(i), left, right)) return false;
                    left = right;
                }
                return true;
            }
            case Concat c -> {
                StringBuilder sb = new StringBuilder();
                for (Expr part : c.parts()) sb.append(Py.str(eval(part, scope)));
                return sb.toString();
            }
            case Cond c -> {
                if (Py.truthy(eval(c.test(), scope))) return eval(c.then(), scope);
                if (c.otherwise() != null) return eval(c.otherwise(), scope);
                return Undefined.hint("the inline if-expression on line " + c.line()
                        + " evaluated to false and no else section was defined.");
            }
            case ListLit l -> {
                List<Object> out = new ArrayList<>(l.items().size());
                for (Expr x : l.items()) out.add(eval(x, scope));
                return out;
            }
            case TupleLit t -> {
                List<Object> out = new ArrayList<>(t.items().size());
                for (Expr x : t.items()) out.add(eval(x, scope));
                return new PyTuple(out);
            }
            case DictLit d -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object k = eval(d.keys().get(i), scope);
                    if (k instanceof List || k instanceof Map || k instanceof Undefined) {
                        throw TemplateException.type("unhashable type: '" + Py.typeName(k) + "'");
                    }
                    Py.mapPut(out, k, eval(d.values().get(i), scope));
                }
                return out;
            }
        }
    }

    private static boolean compare(String op, Object l, Object r) {
        return switch (op) {
            case "==" -> Py.eq(l, r);
            case "!=" -> !Py.eq(l, r);
            case "in" -> Py.contains(r, l);
            case "notin" -> !Py.contains(r, l);
            default -> Py.order(op, l, r);
        };
    }

    void evalArgs(Args a, Scope scope, List<Object> args, Map<String, Object> kwargs) {
        for (Expr x : a.positional()) args.add(eval(x, scope));
        for (int i = 0; i < a.kwNames().size(); i++) kwargs.put(a.kwNames().get(i), eval(a.kwValues().get(i), scope));
        if (a.dynArgs() != null) args.addAll(Py.iterate(eval(a.dynArgs(), scope)));
        if (a.dynKwargs() != null) {
            Object m = eval(a.dynKwargs(), scope);
            if (!(m instanceof Map<?, ?> map)) {
                throw TemplateException.type("argument after ** must be a mapping, not " + Py.typeName(m));
            }
            for (Map.Entry<?, ?> en : map.entrySet()) kwargs.put(Py.str(en.getKey()), en.getValue());
        }
    }

    private Object applyFilter(FilterCall f, Object value, Scope scope) {
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        evalArgs(f.args(), scope, args, kwargs);
        return Filters.apply(this, f.name(), value, args, kwargs);
    }

    Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (fn instanceof Undefined u) throw u.error();
        if (++depth > 400) throw new TemplateException("RecursionError", "maximum recursion depth exceeded");
        try {
            if (fn instanceof Macro m) return m.call(args, kwargs);
            if (fn instanceof BoundMethod bm) return Methods.call(this, bm.receiver(), bm.name(), args, kwargs);
            if (fn instanceof JinjaFunction f) {
                try {
                    return Py.normalize(f.call(args, kwargs));
                } catch (TemplateException e) {
                    throw e;
                } catch (RuntimeException e) {
                    TemplateException te = new TemplateException(e.getClass().getSimpleName(),
                            String.valueOf(e.getMessage()));
                    te.initCause(e);
                    throw te;
                }
            }
            throw TemplateException.type("'" + Py.typeName(fn) + "' object is not callable");
        } finally {
            depth--;
        }
    }
}
