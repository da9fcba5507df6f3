package ttsi.server;

/**
 * Splits streamed model text into what may go out as content now and what must wait: text from a
 * {@code <tool_call>} tag on is held (it becomes tool_calls), and so is a tail that could be the start of that tag.
 */
final class ContentFilter {
    static final String TAG = "<tool_call>";

    private final boolean tools;
    private final StringBuilder all = new StringBuilder();
    private int emitted;
    private boolean inCall;

    ContentFilter(boolean tools) {
        this.tools = tools;
    }

    /** Adds generated text; returns the content that can be sent now (maybe ""). */
    String push(String piece) {
        all.append(piece);
        if (!tools) return take(all.length());
        if (inCall) return "";
        int tag = all.indexOf(TAG, emitted);
        if (tag >= 0) {
            inCall = true;
            return take(tag);
        }
        int hold = 0;
        for (int k = Math.min(TAG.length() - 1, all.length() - emitted); k > 0; k--) {
            if (all.substring(all.length() - k).equals(TAG.substring(0, k))) {
                hold = k;
                break;
            }
        }
        return take(all.length() - hold);
    }

    /** What is still held, when the answer turned out not to be a tool call. */
    String rest() {
        return take(all.length());
    }

    String text() {
        return all.toString();
    }

    /** The text before the first tool-call tag. */
    String beforeCall() {
        int tag = all.indexOf(TAG);
        return tag < 0 ? all.toString() : all.substring(0, tag);
    }

    private String take(int upTo) {
        if (upTo <= emitted) return "";
        String s = all.substring(emitted, upTo);
        emitted = upTo;
        return s;
    }
}
