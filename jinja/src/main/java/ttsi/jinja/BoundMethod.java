package ttsi.jinja;

/** A Python method looked up on a value ({@code s.strip}, {@code d.items}); called through {@link Methods}. */
record BoundMethod(Object receiver, String name) {}
