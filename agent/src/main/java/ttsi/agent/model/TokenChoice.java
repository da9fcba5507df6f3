package ttsi.agent.model;

import java.util.List;

/**
 * One token as generated or scored: its id, its text (special tokens kept; a piece of a multi-byte character
 * decodes to U+FFFD), its log-probability (NaN when not computed) and the most likely alternatives at that position.
 */
public record TokenChoice(int id, String token, double logprob, List<TokenChoice> top) {
    public TokenChoice {
        top = top == null ? List.of() : List.copyOf(top);
    }
}
