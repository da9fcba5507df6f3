package ttsi.jinja;

/**
 * jinja2's default {@code Undefined}: prints as "", is falsy, iterates as empty, has length 0 and equals only
 * another Undefined; attribute or item access, calls and arithmetic raise the error it carries.
 */
public final class Undefined {
    private final String kind;
    private final String message;

    private Undefined(String kind, String message) {
        this.kind = kind;
        this.message = message;
    }

    static Undefined name(String name) {
        return new Undefined("UndefinedError", "'" + name + "' is undefined");
    }

    /** obj.name (or obj['name']) that does not exist. */
    static Undefined attribute(Object obj, String name) {
        return new Undefined("UndefinedError", "'" + Py.objectTypeRepr(obj) + "' has no attribute '" + name + "'");
    }

    /** obj[key] with a non-string key that does not exist. */
    static Undefined element(Object obj, Object key) {
        return new Undefined("UndefinedError", Py.objectTypeRepr(obj) + " has no element " + Py.repr(key));
    }

    static Undefined hint(String message) {
        return new Undefined("UndefinedError", message);
    }

    /** What the sandbox gives for a mutating method such as list.append. */
    static Undefined unsafe(Object obj, String name) {
        return new Undefined("SecurityError",
                "access to attribute '" + name + "' of '" + Py.typeName(obj) + "' object is unsafe.");
    }

    TemplateException error() {
        return new TemplateException(kind, message);
    }

    @Override
    public String toString() {
        return "";
    }
}
