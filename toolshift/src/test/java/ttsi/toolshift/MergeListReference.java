package ttsi.toolshift;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ttsi.engine.tokenizer.ByteLevel;

/**
 * The test oracle for {@link BpeTrainer}: the ids a text should encode to, by the training segmentation and the
 * merge list alone (repeatedly merge the lowest-ranked adjacent pair); the engine's tokenizer must agree with it.
 */
final class MergeListReference {
    private MergeListReference() {}

    /** The ids of one byte-level word by the merge list alone: repeatedly merge the lowest-ranked adjacent pair. */
    static int[] encodeWord(BpeTrainer.Result r, String word, Map<Long, Integer> ranks) {
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i < word.length(); i++) s.add(ByteLevel.byteOf(word.charAt(i)));
        while (s.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < s.size(); i++) {
                Integer rank = ranks.get(BpeTrainer.pair(s.get(i), s.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) break;
            s.set(best, 256 + bestRank);
            s.remove(best + 1);
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The ids a text should encode to: added tokens whole, each word as training left it (else by the merge list). */
    static int[] expectedIds(BpeTrainer.Result r, String text, Map<Long, Integer> ranks) {
        List<Integer> out = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int next = text.length(), len = 0;
            String hit = null;
            for (String a : r.added()) {
                int i = text.indexOf(a, at);
                if (i >= 0 && (i < next || (i == next && a.length() > len))) {
                    next = i;
                    len = a.length();
                    hit = a;
                }
            }
            List<String> ws = new ArrayList<>();
            BpeTrainer.split(Normalizer.normalize(text.substring(at, next), Normalizer.Form.NFC), ws);
            for (String w : ws) {
                int[] ids = r.segmentation().get(w);
                if (ids == null) ids = encodeWord(r, w, ranks);
                for (int id : ids) out.add(id);
            }
            if (hit != null) out.add(r.addedId(hit));
            at = next + len;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** (left id, right id) -> rank. */
    static Map<Long, Integer> ranks(BpeTrainer.Result r) {
        Map<String, Integer> id = new HashMap<>();
        for (int i = 0; i < r.tokens().size(); i++) id.put(r.tokens().get(i), i);
        Map<Long, Integer> out = new HashMap<>();
        for (int k = 0; k < r.merges().size(); k++) out.put(BpeTrainer.pair(id.get(r.merges().get(k)[0]), id.get(r.merges().get(k)[1])), k);
        return out;
    }
}
