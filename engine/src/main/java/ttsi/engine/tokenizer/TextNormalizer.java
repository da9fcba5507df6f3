package ttsi.engine.tokenizer;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/** The normalizers a byte-level BPE tokenizer uses: Unicode forms, lowercasing, and sequences of them. */
interface TextNormalizer {
    String apply(String s);

    TextNormalizer IDENTITY = s -> s;

    static TextNormalizer unicode(Normalizer.Form form) {
        return s -> belowCombiningMarks(s) || Normalizer.isNormalized(s, form) ? s : Normalizer.normalize(s, form);
    }

    /** Text made only of chars below U+0300 is in every normal form; most text is, and the check is cheap. */
    private static boolean belowCombiningMarks(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x300) return false;
        return true;
    }

    static TextNormalizer lowercase() {
        return s -> s.toLowerCase(Locale.ROOT);
    }

    static TextNormalizer sequence(List<TextNormalizer> steps) {
        if (steps.isEmpty()) return IDENTITY;
        if (steps.size() == 1) return steps.get(0);
        return s -> {
            for (TextNormalizer n : steps) s = n.apply(s);
            return s;
        };
    }
}
