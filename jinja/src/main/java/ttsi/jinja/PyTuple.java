package ttsi.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A Python tuple: prints as {@code (1, 2)}, iterates like a list, serialises to JSON as an array. */
public record PyTuple(List<Object> items) {
    public PyTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items)); // tuples may hold None (null)
    }

    static PyTuple of(Object... items) {
        return new PyTuple(java.util.Arrays.asList(items));
    }
}
