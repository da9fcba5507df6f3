package ttsi.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits normalized text into the words that BPE sees. Steps run in order, each on every piece the previous one
 * produced, as in Hugging Face's Sequence pre-tokenizer.
 */
public final class PreTokenizer {

    /** Qwen2, Qwen2.5, Qwen3: letters with one leading non-letter, single digits, punctuation runs, newlines. */
    public static final String QWEN2_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama 3: as Qwen2 but digits go in groups of up to three. */
    public static final String LLAMA3_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** GPT-2 (and SmolLM2, and HF's ByteLevel pre-tokenizer with use_regex). */
    public static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** One splitting step. */
    interface Step {
        void split(String piece, Consumer<String> out);
    }

    private final List<Step> steps;

    PreTokenizer(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /**
     * Compiles a pattern from tokenizer.json, written for Oniguruma (Rust), so that Java matches the same:
     * UNICODE_CHARACTER_CLASS makes {@code \s} Unicode White_Space (U+00A0, U+3000, U+2009... included) and
     * case-insensitive groups fold Unicode case, as Oniguruma does on UTF-8 text. {@code \p{L}}, {@code \p{N}}
     * and supplementary characters behave alike in both.
     */
    public static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** HF's Split with behavior Isolated: matches and the gaps between them each become a piece (invert changes nothing). */
    static Step isolated(Pattern p) {
        return (s, out) -> {
            Matcher m = p.matcher(s);
            int last = 0;
            while (m.find()) {
                if (m.start() == m.end()) continue;
                if (m.start() > last) out.accept(s.substring(last, m.start()));
                out.accept(s.substring(m.start(), m.end()));
                last = m.end();
            }
            if (last < s.length()) out.accept(s.substring(last));
        };
    }

    /** HF's Split with behavior Removed: matches are dropped (or, inverted, only matches are kept). */
    static Step removed(Pattern p, boolean invert) {
        return (s, out) -> {
            Matcher m = p.matcher(s);
            int last = 0;
            while (m.find()) {
                if (m.start() == m.end()) continue;
                if (invert) out.accept(s.substring(m.start(), m.end()));
                else if (m.start() > last) out.accept(s.substring(last, m.start()));
                last = m.end();
            }
            if (!invert && last < s.length()) out.accept(s.substring(last));
        };
    }

    /** HF's ByteLevel pre-tokenizer: optional leading space, optional GPT-2 split. The byte mapping is BPE's. */
    static Step byteLevel(boolean addPrefixSpace, boolean useRegex) {
        Step split = useRegex ? isolated(compile(GPT2_REGEX)) : (s, out) -> out.accept(s);
        if (!addPrefixSpace) return split;
        return (s, out) -> split.split(s.startsWith(" ") ? s : " " + s, out);
    }

    /** Whether splitting does nothing (the ByteLevel step of Qwen's and Llama's Sequence). */
    static boolean isIdentity(boolean addPrefixSpace, boolean useRegex) {
        return !addPrefixSpace && !useRegex;
    }

    /** Splits one piece of normalized text (between added tokens) into words. */
    public void split(String text, Consumer<String> out) {
        if (text.isEmpty()) return;
        if (steps.isEmpty()) {
            out.accept(text);
            return;
        }
        if (steps.size() == 1) {
            steps.get(0).split(text, out);
            return;
        }
        List<String> pieces = List.of(text);
        for (int k = 0; k < steps.size() - 1; k++) {
            List<String> next = new ArrayList<>();
            for (String p : pieces) steps.get(k).split(p, next::add);
            pieces = next;
        }
        Step last = steps.get(steps.size() - 1);
        for (String p : pieces) last.split(p, out);
    }

    /** The words of a text, for tests and inspection. */
    public List<String> split(String text) {
        List<String> out = new ArrayList<>();
        split(text, out::add);
        return out;
    }
}
