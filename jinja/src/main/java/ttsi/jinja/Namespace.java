package ttsi.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** jinja2's {@code namespace(...)}: the one object whose attributes a template may assign. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
