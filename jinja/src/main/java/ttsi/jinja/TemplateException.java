package ttsi.jinja;

/**
 * A template could not be parsed or rendered. {@link #reason()} is the bare message (for {@code raise_exception(msg)}
 * exactly {@code msg}), {@link #kind()} names the jinja2 error class it corresponds to, {@link #line()} is the
 * 1-based template line (0 when unknown).
 */
public class TemplateException extends RuntimeException {
    private final String kind;
    private final String reason;
    private int line;
    private String templateName = "template";

    public TemplateException(String kind, String reason, int line) {
        super(reason);
        this.kind = kind;
        this.reason = reason;
        this.line = line;
    }

    public TemplateException(String kind, String reason) {
        this(kind, reason, 0);
    }

    /** jinja2's exception class name: TemplateSyntaxError, UndefinedError, TemplateError, TypeError, ... */
    public String kind() {
        return kind;
    }

    public String reason() {
        return reason;
    }

    public int line() {
        return line;
    }

    TemplateException atLine(int line) {
        if (this.line <= 0) this.line = line;
        return this;
    }

    TemplateException named(String name) {
        if (name != null) this.templateName = name;
        return this;
    }

    @Override
    public String getMessage() {
        return templateName + (line > 0 ? ", line " + line : "") + ": " + reason + " (" + kind + ")";
    }

    static TemplateException syntax(String reason, int line) {
        return new TemplateException("TemplateSyntaxError", reason, line);
    }

    static TemplateException type(String reason) {
        return new TemplateException("TypeError", reason);
    }

    static TemplateException value(String reason) {
        return new TemplateException("ValueError", reason);
    }
}
