package ttsi.jinja;

import java.util.List;
import java.util.Map;

/**
 * A function that a template can call, passed in as a variable (e.g. {@code raise_exception}). Arguments arrive as
 * template values: String, Long, Double, Boolean, null, List, Map, {@link PyTuple}, {@link Undefined}.
 */
@FunctionalInterface
public interface JinjaFunction {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
