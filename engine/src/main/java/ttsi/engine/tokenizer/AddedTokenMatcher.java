package ttsi.engine.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Finds added tokens in a text: leftmost match first, the longest one at that position (Hugging Face uses
 * leftmost-longest Aho-Corasick), then applies the single_word / lstrip / rstrip flags as HF does.
 */
final class AddedTokenMatcher {

    /** Receives the pieces of a text in order: plain text ranges and matched tokens. */
    interface Sink {
        void text(int start, int end);

        void token(int id);
    }

    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        AddedToken token; // a token ends here
    }

    private final Node root = new Node();
    private final boolean[] firstChar = new boolean[65536];
    private final boolean empty;

    /** The tokens' contents pass through keyForm first (the normalizer, for normalized tokens). */
    AddedTokenMatcher(List<AddedToken> tokens, UnaryOperator<String> keyForm) {
        int count = 0;
        for (AddedToken t : tokens) {
            String key = keyForm.apply(t.content());
            if (key.isEmpty()) continue;
            Node n = root;
            for (int i = 0; i < key.length(); i++) n = n.next.computeIfAbsent(key.charAt(i), c -> new Node());
            // Two tokens with one content: HF keeps the first added.
            if (n.token == null) n.token = t;
            firstChar[key.charAt(0)] = true;
            count++;
        }
        empty = count == 0;
    }

    boolean isEmpty() {
        return empty;
    }

    void split(String s, Sink sink) {
        int len = s.length();
        int done = 0; // end of what has been handed to the sink
        int i = 0;
        while (i < len) {
            if (!firstChar[s.charAt(i)]) {
                i++;
                continue;
            }
            // Longest token starting at i.
            Node n = root;
            AddedToken found = null;
            int foundEnd = -1;
            for (int j = i; j < len; j++) {
                n = n.next.get(s.charAt(j));
                if (n == null) break;
                if (n.token != null) {
                    found = n.token;
                    foundEnd = j + 1;
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            int start = i, stop = foundEnd;
            if (found.singleWord() && (endsWithWordChar(s, start) || startsWithWordChar(s, stop))) {
                i = foundEnd; // HF's automaton resumes after the rejected match
                continue;
            }
            if (found.lstrip()) {
                while (start > done && isWhiteSpace(s.codePointBefore(start))) start -= Character.charCount(s.codePointBefore(start));
            }
            if (found.rstrip()) {
                while (stop < len && isWhiteSpace(s.codePointAt(stop))) stop += Character.charCount(s.codePointAt(stop));
            }
            if (start > done) sink.text(done, start);
            sink.token(found.id());
            done = stop;
            i = stop;
        }
        if (done < len) sink.text(done, len);
    }

    private static boolean endsWithWordChar(String s, int pos) {
        return pos > 0 && isWordChar(s.codePointBefore(pos));
    }

    private static boolean startsWithWordChar(String s, int pos) {
        return pos < s.length() && isWordChar(s.codePointAt(pos));
    }

    // HF tests single_word against the regex \w (Rust, Unicode): Alphabetic, marks, decimal digits, connector
    // punctuation, joiners. So a combining accent glues a token to a word, but '½' does not.
    private static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) return true;
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Unicode White_Space (Rust's char::is_whitespace); Java's isWhitespace leaves out U+00A0 and others. */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }
}
