package ttsi.jinja;

import java.util.List;

/** The {@code loop} variable inside a for loop. */
final class LoopInfo {
    final List<Object> items;
    final int length;
    final int depth0;
    int index0;
    private Object lastChanged = Py.MISSING;

    LoopInfo(List<Object> items, int depth0) {
        this.items = items;
        this.length = items.size();
        this.depth0 = depth0;
    }

    Object attribute(String name) {
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (length - index0);
            case "revindex0" -> (long) (length - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> (long) length;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.hint("there is no previous item");
            case "nextitem" -> index0 + 1 < length ? items.get(index0 + 1) : Undefined.hint("there is no next item");
            case "cycle", "changed" -> new BoundMethod(this, name);
            default -> Py.MISSING;
        };
    }

    Object cycle(List<Object> args) {
        if (args.isEmpty()) throw TemplateException.type("no items for cycling given");
        return args.get(index0 % args.size());
    }

    boolean changed(List<Object> args) {
        Object key = new PyTuple(args);
        if (lastChanged == Py.MISSING || !Py.eq(lastChanged, key)) {
            lastChanged = key;
            return true;
        }
        return false;
    }
}
