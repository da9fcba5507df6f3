package ttsi.agent.model;

import java.util.Arrays;
import java.util.List;

/**
 * The tokens of a scored continuation and the log-probability of each given everything before it.
 *
 * @param ids the tokens' ids, or null where the backend does not report them (an HTTP server)
 * @param ends where each token ends in the continuation text (a char index, exclusive); a token starts where the
 *     one before it ends (the first at 0, or before it when it straddles the prompt's end). Derived from the token
 *     texts when not given.
 */
public record TokenLogprobs(List<String> tokens, double[] logprobs, int[] ids, int[] ends) {

    public TokenLogprobs {
        if (ends == null) {
            ends = new int[tokens.size()];
            int at = 0;
            for (int i = 0; i < ends.length; i++) ends[i] = at += tokens.get(i).length();
        }
        if (logprobs.length != tokens.size() || ends.length != tokens.size() || (ids != null && ids.length != tokens.size())) {
            throw new IllegalArgumentException("tokens, log-probabilities, ids and ends differ in length");
        }
    }

    public TokenLogprobs(List<String> tokens, double[] logprobs) {
        this(tokens, logprobs, null, null);
    }

    public double sum() {
        double s = 0;
        for (double l : logprobs) s += l;
        return s;
    }

    /** The index of the first token that ends after char {@code at} (the token covering it), or -1 when none. */
    public int tokenAt(int at) {
        for (int i = 0; i < ends.length; i++) if (ends[i] > at) return i;
        return -1;
    }

    /** Tokens [from, to) only. */
    public TokenLogprobs slice(int from, int to) {
        return new TokenLogprobs(List.copyOf(tokens.subList(from, to)), Arrays.copyOfRange(logprobs, from, to),
                ids == null ? null : Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(ends, from, to));
    }

    /**
     * The tokens through the one that covers char {@code end - 1}, the last char of a span ending at {@code end}
     * (all tokens when none does).
     */
    public TokenLogprobs through(int end) {
        int last = tokenAt(end - 1);
        return last < 0 || last + 1 == tokens.size() ? this : slice(0, last + 1);
    }
}
