package ttsi.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import ttsi.jinja.Ast.*;
import ttsi.jinja.Lexer.T;
import ttsi.jinja.Lexer.Token;

/**
 * Recursive-descent parser with jinja2's grammar and precedence, loosest first: conditional expression,
 * {@code or}, {@code and}, {@code not}, comparisons and {@code in}/{@code not in} (chained), {@code + -},
 * {@code ~}, {@code * / // %}, {@code **} (left-associative, as in jinja2), unary {@code - +}, then filters
 * {@code |f} and tests {@code is t} (so {@code not x is defined} means {@code not (x is defined)}), then
 * attribute, subscript, slice and call.
 */
final class Parser {
    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int at;
    private int loopDepth;

    Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    List<Stmt> parseTemplate() {
        List<Stmt> body = subparse(List.of(), null);
        if (cur().type() != T.EOF) throw fail("unexpected " + cur().describe(), cur());
        return body;
    }

    // ------------------------------------------------------------------ token stream

    private Token cur() {
        return tokens.get(at);
    }

    private Token peek() {
        return tokens.get(Math.min(at + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(at);
        if (at < tokens.size() - 1) at++;
        return t;
    }

    private boolean skipOp(String op) {
        if (cur().isOp(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (cur().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private Token expectOp(String op) {
        if (!cur().isOp(op)) throw fail("expected '" + op + "', got " + cur().describe(), cur());
        return next();
    }

    private Token expect(T type, String what) {
        if (cur().type() != type) throw fail("expected " + what + ", got " + cur().describe(), cur());
        return next();
    }

    private String expectName() {
        return expect(T.NAME, "name").text();
    }

    private void expectBlockEnd() {
        expect(T.BLOCK_END, "end of statement block");
    }

    private static TemplateException fail(String msg, Token t) {
        return TemplateException.syntax(msg, t.line());
    }

    // ------------------------------------------------------------------ statements

    /** Parses until one of endTags opens a block tag; leaves the stream on that tag's name. */
    private List<Stmt> subparse(List<String> endTags, String innermost) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = cur();
            switch (t.type()) {
                case DATA -> {
                    body.add(new Text((String) t.value(), t.line()));
                    next();
                }
                case VAR_BEGIN -> {
                    next();
                    Expr e = parseTuple(false, true, Set.of(), false);
                    expect(T.VAR_END, "end of print statement");
                    body.add(new Print(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    next();
                    Token name = cur();
                    if (name.type() == T.NAME && endTags.contains(name.text())) return body;
                    body.add(statement(endTags, innermost));
                }
                case EOF -> {
                    if (!endTags.isEmpty()) {
                        throw fail("Unexpected end of template. Jinja was looking for the following tags: "
                                + lookingFor(endTags) + ". The innermost block that needs to be closed is '"
                                + innermost + "'.", t);
                    }
                    return body;
                }
                default -> throw fail("unexpected " + t.describe(), t);
            }
        }
    }

    private static String lookingFor(List<String> tags) {
        List<String> quoted = tags.stream().map(s -> "'" + s + "'").toList();
        if (quoted.size() == 1) return quoted.get(0);
        return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }

    private Stmt statement(List<String> endTags, String innermost) {
        Token t = cur();
        if (t.type() != T.NAME) throw fail("tag name expected", t);
        next();
        int line = t.line();
        return switch (t.text()) {
            case "if" -> parseIf(line);
            case "for" -> parseFor(line);
            case "set" -> parseSet(line);
            case "macro" -> parseMacro(line);
            case "call" -> parseCallBlock(line);
            case "filter" -> parseFilterBlock(line);
            case "with" -> parseWith(line);
            case "generation" -> {
                expectBlockEnd();
                List<Stmt> body = subparse(List.of("endgeneration"), "generation");
                next();
                expectBlockEnd();
                yield new Inline(body, line);
            }
            case "print" -> {
                Expr e = parseTuple(false, true, Set.of(), false);
                expectBlockEnd();
                yield new Print(e, line);
            }
            case "break", "continue" -> {
                if (loopDepth == 0) throw fail("'" + t.text() + "' outside of a loop", t);
                expectBlockEnd();
                yield t.text().equals("break") ? new Break(line) : new Continue(line);
            }
            case "include", "extends", "block", "import", "from", "autoescape", "do" ->
                    throw fail("tag '" + t.text() + "' is not supported by this interpreter", t);
            default -> {
                String msg = "Encountered unknown tag '" + t.text() + "'.";
                if (!endTags.isEmpty()) {
                    msg += " Jinja was looking for the following tags: " + lookingFor(endTags)
                            + ". The innermost block that needs to be closed is '" + innermost + "'.";
                }
                throw fail(msg, t);
            }
        };
    }

    private Stmt parseIf(int line) {
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> elseBody = List.of();
        tests.add(parseTuple(false, false, Set.of(), false));
        expectBlockEnd();
        List<String> ends = List.of("elif", "else", "endif");
        bodies.add(subparse(ends, "if"));
        while (true) {
            String tag = next().text();
            if (tag.equals("elif")) {
                tests.add(parseTuple(false, false, Set.of(), false));
                expectBlockEnd();
                bodies.add(subparse(ends, "if"));
            } else if (tag.equals("else")) {
                expectBlockEnd();
                elseBody = subparse(List.of("endif"), "if");
                next();
                expectBlockEnd();
                break;
            } else {
                expectBlockEnd();
                break;
            }
        }
        return new If(tests, bodies, elseBody, line);
    }

    private Stmt parseFor(int line) {
        Target target = parseAssignTarget(Set.of("in"), false);
        if (!skipName("in")) throw fail("expected 'in', got " + cur().describe(), cur());
        Expr iter = parseTuple(false, false, Set.of("recursive"), false);
        Expr filter = null;
        if (skipName("if")) filter = parseExpression(true);
        if (cur().isName("recursive")) throw fail("recursive for loops are not supported", cur());
        expectBlockEnd();
        loopDepth++;
        List<Stmt> body = subparse(List.of("endfor", "else"), "for");
        loopDepth--;
        List<Stmt> elseBody = List.of();
        if (next().text().equals("else")) {
            expectBlockEnd();
            elseBody = subparse(List.of("endfor"), "for");
            next();
        }
        expectBlockEnd();
        return new For(target, iter, filter, body, elseBody, line);
    }

    private Stmt parseSet(int line) {
        Target target = parseAssignTarget(Set.of(), true);
        if (skipOp("=")) {
            Expr value = parseTuple(false, true, Set.of(), false);
            expectBlockEnd();
            return new Ast.Set(target, value, line);
        }
        List<FilterCall> filters = parseFilterChain(false);
        expectBlockEnd();
        List<Stmt> body = subparse(List.of("endset"), "set");
        next();
        expectBlockEnd();
        return new SetBlock(target, filters, body, line);
    }

    private Stmt parseMacro(int line) {
        String name = expectName();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        parseSignature(params, defaults);
        expectBlockEnd();
        int saved = loopDepth;
        loopDepth = 0;
        List<Stmt> body = subparse(List.of("endmacro"), "macro");
        loopDepth = saved;
        next();
        expectBlockEnd();
        return new MacroDef(name, params, defaults, body, line);
    }

    private void parseSignature(List<String> params, List<Expr> defaults) {
        expectOp("(");
        while (!cur().isOp(")")) {
            if (!params.isEmpty()) expectOp(",");
            if (cur().isOp(")")) break;
            Token t = expect(T.NAME, "name");
            params.add(t.text());
            if (skipOp("=")) {
                defaults.add(parseExpression(true));
            } else {
                if (defaults.stream().anyMatch(java.util.Objects::nonNull)) {
                    throw fail("non-default argument follows default argument", t);
                }
                defaults.add(null);
            }
        }
        expectOp(")");
    }

    private Stmt parseCallBlock(int line) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (cur().isOp("(")) parseSignature(params, defaults);
        Expr call = parseExpression(true);
        if (!(call instanceof Call c)) throw fail("expected call", cur());
        expectBlockEnd();
        int saved = loopDepth;
        loopDepth = 0;
        List<Stmt> body = subparse(List.of("endcall"), "call");
        loopDepth = saved;
        next();
        expectBlockEnd();
        return new CallBlock(c, params, defaults, body, line);
    }

    private Stmt parseFilterBlock(int line) {
        List<FilterCall> filters = parseFilterChain(true);
        expectBlockEnd();
        List<Stmt> body = subparse(List.of("endfilter"), "filter");
        next();
        expectBlockEnd();
        return new FilterBlock(filters, body, line);
    }

    private Stmt parseWith(int line) {
        List<Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (cur().type() != T.BLOCK_END) {
            if (!targets.isEmpty()) expectOp(",");
            targets.add(parseAssignTarget(Set.of(), false));
            expectOp("=");
            values.add(parseExpression(true));
        }
        expectBlockEnd();
        List<Stmt> body = subparse(List.of("endwith"), "with");
        next();
        expectBlockEnd();
        return new With(targets, values, body, line);
    }

    private Target parseAssignTarget(Set<String> extraEnd, boolean withNamespace) {
        Token t = cur();
        if (withNamespace && t.type() == T.NAME && peek().isOp(".")) {
            next();
            next();
            return new NsTarget(t.text(), expectName(), t.line());
        }
        Expr e = parseTuple(true, false, extraEnd, false);
        return toTarget(e, t);
    }

    private Target toTarget(Expr e, Token at) {
        if (e instanceof Name n) {
            if (Set.of("true", "false", "none", "True", "False", "None").contains(n.name())) {
                throw fail("Can't assign to '" + n.name() + "'", at);
            }
            return new NameTarget(n.name());
        }
        if (e instanceof TupleLit t) {
            List<Target> items = new ArrayList<>();
            for (Expr x : t.items()) items.add(toTarget(x, at));
            return new TupleTarget(items);
        }
        throw fail("can't assign to " + e.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT), at);
    }

    // ------------------------------------------------------------------ expressions

    /**
     * A comma-separated list becomes a tuple; a single expression stays itself. simplified: primaries only
     * (assignment targets).
     */
    private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEnd, boolean explicitParens) {
        int line = cur().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) expectOp(",");
            if (isTupleEnd(extraEnd)) break;
            items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (cur().isOp(",")) isTuple = true;
            else break;
        }
        if (!isTuple) {
            if (!items.isEmpty()) return items.get(0);
            if (!explicitParens) throw fail("Expected an expression, got " + cur().describe(), cur());
        }
        return new TupleLit(items, line);
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = cur();
        if (t.type() == T.VAR_END || t.type() == T.BLOCK_END || t.type() == T.EOF || t.isOp(")")) return true;
        return t.type() == T.NAME && extraEnd.contains(t.text());
    }

    private Expr parseExpression(boolean withCondexpr) {
        return withCondexpr ? parseCondexpr() : parseOr();
    }

    private Expr parseCondexpr() {
        Expr e = parseOr();
        while (cur().isName("if")) {
            int line = next().line();
            Expr test = parseOr();
            Expr otherwise = skipName("else") ? parseCondexpr() : null;
            e = new Cond(test, e, otherwise, line);
        }
        return e;
    }

    private Expr parseOr() {
        Expr e = parseAnd();
        while (cur().isName("or")) {
            int line = next().line();
            e = new Or(e, parseAnd(), line);
        }
        return e;
    }

    private Expr parseAnd() {
        Expr e = parseNot();
        while (cur().isName("and")) {
            int line = next().line();
            e = new And(e, parseNot(), line);
        }
        return e;
    }

    private Expr parseNot() {
        if (cur().isName("not")) {
            int line = next().line();
            return new Not(parseNot(), line);
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = cur().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = cur();
            if (t.type() == T.OP && COMPARE_OPS.contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek().isName("in")) {
                next();
                next();
                ops.add("notin");
            } else {
                break;
            }
            rest.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Compare(first, ops, rest, line);
    }

    private Expr parseMath1() {
        Expr e = parseConcat();
        while (cur().isOp("+") || cur().isOp("-")) {
            Token t = next();
            e = new Binary(t.text(), e, parseConcat(), t.line());
        }
        return e;
    }

    private Expr parseConcat() {
        int line = cur().line();
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMath2());
        while (skipOp("~")) parts.add(parseMath2());
        return parts.size() == 1 ? parts.get(0) : new Concat(parts, line);
    }

    private Expr parseMath2() {
        Expr e = parsePow();
        while (cur().isOp("*") || cur().isOp("/") || cur().isOp("//") || cur().isOp("%")) {
            Token t = next();
            e = new Binary(t.text(), e, parsePow(), t.line());
        }
        return e;
    }

    private Expr parsePow() {
        Expr e = parseUnary(true);
        while (cur().isOp("**")) {
            Token t = next();
            e = new Binary("**", e, parseUnary(true), t.line());
        }
        return e;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = cur();
        Expr e;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            e = new Unary(t.text(), parseUnary(false), t.line());
        } else {
            e = parsePrimary();
        }
        e = parsePostfix(e);
        if (withFilter) e = parseFilterExpr(e);
        return e;
    }

    private Expr parsePrimary() {
        Token t = cur();
        int line = t.line();
        switch (t.type()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Const(Boolean.TRUE, line);
                    case "false", "False" -> new Const(Boolean.FALSE, line);
                    case "none", "None" -> new Const(null, line);
                    default -> new Name(t.text(), line);
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                while (cur().type() == T.STRING) sb.append((String) next().value());
                return new Const(sb.toString(), line);
            }
            case INT, FLOAT -> {
                next();
                return new Const(t.value(), line);
            }
            default -> {}
        }
        if (t.isOp("(")) {
            next();
            Expr e = parseTuple(false, true, Set.of(), true);
            expectOp(")");
            return e;
        }
        if (t.isOp("[")) return parseList();
        if (t.isOp("{")) return parseDict();
        throw fail("unexpected " + t.describe(), t);
    }

    private Expr parseList() {
        int line = expectOp("[").line();
        List<Expr> items = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!items.isEmpty()) expectOp(",");
            if (cur().isOp("]")) break;
            items.add(parseExpression(true));
        }
        expectOp("]");
        return new ListLit(items, line);
    }

    private Expr parseDict() {
        int line = expectOp("{").line();
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().isOp("}")) {
            if (!keys.isEmpty()) expectOp(",");
            if (cur().isOp("}")) break;
            keys.add(parseExpression(true));
            expectOp(":");
            values.add(parseExpression(true));
        }
        expectOp("}");
        return new DictLit(keys, values, line);
    }

    private Expr parsePostfix(Expr e) {
        while (true) {
            if (cur().isOp(".") || cur().isOp("[")) e = parseSubscript(e);
            else if (cur().isOp("(")) {
                int line = cur().line();
                e = new Call(e, parseCallArgs(), line);
            } else return e;
        }
    }

    private Expr parseFilterExpr(Expr e) {
        while (true) {
            if (cur().isOp("|")) {
                for (FilterCall f : parseFilterChain(false)) e = new Filter(e, f, f.line());
            } else if (cur().isName("is")) {
                e = parseTest(e);
            } else if (cur().isOp("(")) {
                int line = cur().line();
                e = new Call(e, parseCallArgs(), line);
            } else {
                return e;
            }
        }
    }

    private Expr parseSubscript(Expr e) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.type() == T.NAME) return new GetAttr(e, attr.text(), t.line());
            if (attr.type() == T.INT) return new GetItem(e, new Const(attr.value(), attr.line()), t.line());
            throw fail("expected name or number", attr);
        }
        List<Expr> keys = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!keys.isEmpty()) expectOp(",");
            keys.add(parseSubscribed());
        }
        expectOp("]");
        Expr key = keys.size() == 1 ? keys.get(0) : new TupleLit(keys, t.line());
        return new GetItem(e, key, t.line());
    }

    private Expr parseSubscribed() {
        int line = cur().line();
        Expr start = null;
        if (!skipOp(":")) {
            Expr e = parseExpression(true);
            if (!skipOp(":")) return e;
            start = e;
        }
        Expr stop = null, step = null;
        if (!cur().isOp(":") && !cur().isOp("]") && !cur().isOp(",")) stop = parseExpression(true);
        if (skipOp(":") && !cur().isOp("]") && !cur().isOp(",")) step = parseExpression(true);
        return new Slice(start, stop, step, line);
    }

    private Args parseCallArgs() {
        Token open = expectOp("(");
        List<Expr> positional = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        Expr dynArgs = null, dynKwargs = null;
        boolean first = true;
        while (!cur().isOp(")")) {
            if (!first) {
                expectOp(",");
                if (cur().isOp(")")) break;
            }
            first = false;
            if (cur().isOp("*")) {
                if (dynArgs != null || dynKwargs != null) throw fail("invalid syntax for function call expression", open);
                next();
                dynArgs = parseExpression(true);
            } else if (cur().isOp("**")) {
                if (dynKwargs != null) throw fail("invalid syntax for function call expression", open);
                next();
                dynKwargs = parseExpression(true);
            } else if (cur().type() == T.NAME && peek().isOp("=")) {
                if (dynKwargs != null) throw fail("invalid syntax for function call expression", open);
                String key = next().text();
                next();
                kwNames.add(key);
                kwValues.add(parseExpression(true));
            } else {
                if (dynArgs != null || dynKwargs != null || !kwNames.isEmpty()) {
                    throw fail("invalid syntax for function call expression", open);
                }
                positional.add(parseExpression(true));
            }
        }
        expectOp(")");
        return new Args(positional, kwNames, kwValues, dynArgs, dynKwargs);
    }

    /** {@code |f(args)|g ...}; with startInline the first filter has no leading bar (filter blocks). */
    private List<FilterCall> parseFilterChain(boolean startInline) {
        List<FilterCall> out = new ArrayList<>();
        while (startInline || cur().isOp("|")) {
            if (!startInline) next();
            startInline = false;
            Token t = expect(T.NAME, "filter name");
            StringBuilder name = new StringBuilder(t.text());
            while (skipOp(".")) name.append('.').append(expectName());
            if (!Filters.exists(name.toString())) {
                throw new TemplateException("TemplateAssertionError", "No filter named '" + name + "'.", t.line());
            }
            Args args = cur().isOp("(") ? parseCallArgs() : Args.NONE;
            out.add(new FilterCall(name.toString(), args, t.line()));
        }
        return out;
    }

    private Expr parseTest(Expr e) {
        Token is = next();
        boolean negated = skipName("not");
        Token t = expect(T.NAME, "test name");
        StringBuilder name = new StringBuilder(t.text());
        while (skipOp(".")) name.append('.').append(expectName());
        if (!Predicates.exists(name.toString())) {
            throw new TemplateException("TemplateAssertionError", "No test named '" + name + "'.", t.line());
        }
        Args args = Args.NONE;
        Token c = cur();
        if (c.isOp("(")) {
            args = parseCallArgs();
        } else if ((c.type() == T.NAME || c.type() == T.STRING || c.type() == T.INT || c.type() == T.FLOAT
                || c.isOp("[") || c.isOp("{")) && !c.isName("else") && !c.isName("or") && !c.isName("and")) {
            if (c.isName("is")) throw fail("You cannot chain multiple tests with is", c);
            Expr arg = parsePostfix(parsePrimary());
            args = new Args(List.of(arg), List.of(), List.of(), null, null);
        }
        Expr test = new Test(e, name.toString(), args, is.line());
        return negated ? new Not(test, is.line()) : test;
    }
}
