package ttsi.engine.tokenizer;

/**
 * Lenient UTF-8 decoding that matches Rust's {@code String::from_utf8_lossy} (what Hugging Face's decoders use):
 * each maximal invalid subpart of the input becomes one U+FFFD. It can also stop before a trailing incomplete
 * character, so that a stream can wait for the rest of it.
 */
final class Utf8 {
    private Utf8() {}

    static final char REPLACEMENT = '\uFFFD';

    /** Decodes all of bytes[off, off+len), replacing invalid parts. */
    static String decode(byte[] bytes, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        decode(bytes, off, len, sb, true);
        return sb.toString();
    }

    /**
     * Decodes bytes[off, off+len) into out. When endOfInput is false, a trailing sequence that is a valid but
     * incomplete character is left undecoded. Returns how many bytes were consumed.
     */
    static int decode(byte[] b, int off, int len, StringBuilder out, boolean endOfInput) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int need;
            int lo = 0x80, hi = 0xBF; // allowed range of the second byte
            if (b0 >= 0xC2 && b0 <= 0xDF) need = 1;
            else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                if (b0 == 0xE0) lo = 0xA0; // no overlong forms
                else if (b0 == 0xED) hi = 0x9F; // no surrogates
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                if (b0 == 0xF0) lo = 0x90; // no overlong forms
                else if (b0 == 0xF4) hi = 0x8F; // nothing above U+10FFFF
            } else {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int cp = b0 & (0x3F >> need);
            int k = 1;
            boolean bad = false;
            while (k <= need) {
                if (i + k >= end) break;
                int bk = b[i + k] & 0xFF;
                if (k == 1 ? (bk < lo || bk > hi) : (bk < 0x80 || bk > 0xBF)) {
                    bad = true;
                    break;
                }
                cp = (cp << 6) | (bk & 0x3F);
                k++;
            }
            if (k > need) {
                out.appendCodePoint(cp);
                i += k;
            } else if (bad) {
                out.append(REPLACEMENT); // the valid prefix seen so far is one maximal subpart
                i += k;
            } else if (endOfInput) {
                out.append(REPLACEMENT);
                i = end;
            } else {
                return i - off; // incomplete character at the end: wait for more bytes
            }
        }
        return i - off;
    }
}
