package ttsi.engine.tokenizer;

/**
 * A token added on top of the BPE vocabulary (chat markers, tool-call tags...). It is matched in the text
 * before any normalization or splitting, as Hugging Face does.
 *
 * @param special    decode can skip it; chat markers are special, Qwen's {@code <tool_call>} is not
 * @param lstrip     a match also swallows the whitespace before it
 * @param rstrip     a match also swallows the whitespace after it
 * @param singleWord only matches when not inside a word
 * @param normalized matched in the normalized text rather than in the raw text
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
                         boolean singleWord, boolean normalized) {
}
