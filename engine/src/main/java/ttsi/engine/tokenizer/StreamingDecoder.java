package ttsi.engine.tokenizer;

import java.util.Arrays;

/**
 * Decodes token ids one at a time, as a model produces them. A token can end in the middle of a UTF-8 character
 * (emoji and CJK often span two or three tokens); those bytes are held back until the character is complete, so
 * no push returns half a character or a premature U+FFFD. Bytes that can never become valid are replaced by
 * U+FFFD as {@link Tokenizer#decode} does, so the pushes plus {@link #flush()} concatenate to decode(all ids).
 * Not thread-safe: one per stream.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private byte[] pending = new byte[16];
    private int pendingLen;

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one token; returns the text it completes (possibly empty, never null). */
    public String push(int id) {
        if (skipSpecialTokens && tokenizer.isSpecial(id)) return "";
        byte[] b = tokenizer.rawTokenBytes(id);
        if (b == null) return ""; // unknown id: decode skips it too
        if (pendingLen + b.length > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + b.length));
        System.arraycopy(b, 0, pending, pendingLen, b.length);
        pendingLen += b.length;
        StringBuilder out = new StringBuilder(pendingLen);
        int used = Utf8.decode(pending, 0, pendingLen, out, false);
        System.arraycopy(pending, used, pending, 0, pendingLen - used);
        pendingLen -= used;
        return out.toString();
    }

    /** Ends the stream: returns what is held back, an unfinished character becoming U+FFFD. */
    public String flush() {
        String s = Utf8.decode(pending, 0, pendingLen);
        pendingLen = 0;
        return s;
    }

    /** Whether bytes of an unfinished character are held back. */
    public boolean hasPending() {
        return pendingLen > 0;
    }
}
