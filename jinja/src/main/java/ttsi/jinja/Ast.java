package ttsi.jinja;

import java.util.List;

/** The parsed template: statements and expressions, each with its template line. */
final class Ast {
    private Ast() {}

    sealed interface Stmt {
        int line();
    }

    record Text(String text, int line) implements Stmt {}

    record Print(Expr expr, int line) implements Stmt {}

    record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> elseBody, int line) implements Stmt {}

    record For(Target target, Expr iter, Expr filter, List<Stmt> body, List<Stmt> elseBody, int line)
            implements Stmt {}

    record Set(Target target, Expr value, int line) implements Stmt {}

    record SetBlock(Target target, List<FilterCall> filters, List<Stmt> body, int line) implements Stmt {}

    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line)
            implements Stmt {}

    record CallBlock(Call call, List<String> params, List<Expr> defaults, List<Stmt> body, int line)
            implements Stmt {}

    record FilterBlock(List<FilterCall> filters, List<Stmt> body, int line) implements Stmt {}

    record With(List<Target> targets, List<Expr> values, List<Stmt> body, int line) implements Stmt {}

    /** A block rendered in place ({@code generation}). */
    record Inline(List<Stmt> body, int line) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}

    sealed interface Target {}

    record NameTarget(String name) implements Target {}

    record NsTarget(String ns, String attr, int line) implements Target {}

    record TupleTarget(List<Target> items) implements Target {}

    /** Call arguments: positional, keyword (names and values in order), *args and **kwargs. */
    record Args(List<Expr> positional, List<String> kwNames, List<Expr> kwValues, Expr dynArgs, Expr dynKwargs) {
        static final Args NONE = new Args(List.of(), List.of(), List.of(), null, null);
    }

    record FilterCall(String name, Args args, int line) {}

    sealed interface Expr {
        int line();
    }

    record Const(Object value, int line) implements Expr {}

    record Name(String name, int line) implements Expr {}

    record GetAttr(Expr obj, String name, int line) implements Expr {}

    record GetItem(Expr obj, Expr key, int line) implements Expr {}

    record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {}

    record Call(Expr fn, Args args, int line) implements Expr {}

    record Filter(Expr value, FilterCall filter, int line) implements Expr {}

    record Test(Expr value, String name, Args args, int line) implements Expr {}

    record Not(Expr value, int line) implements Expr {}

    record Unary(String op, Expr value, int line) implements Expr {}

    record Binary(String op, Expr left, Expr right, int line) implements Expr {}

    record And(Expr left, Expr right, int line) implements Expr {}

    record Or(Expr left, Expr right, int line) implements Expr {}

    record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

    record Concat(List<Expr> parts, int line) implements Expr {}

    record Cond(Expr test, Expr then, Expr otherwise, int line) implements Expr {}

    record ListLit(List<Expr> items, int line) implements Expr {}

    record TupleLit(List<Expr> items, int line) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr {}
}
