package ttsi.engine.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Hugging Face compatible byte-level BPE tokenizer (Qwen2/2.5/3, Llama 3, GPT-2 style). Encoding follows HF's
 * pipeline: added tokens are cut out of the raw text first, the rest is normalized, split by the pre-tokenizer
 * regex, mapped to byte-level characters and merged by rank. Decoding maps tokens back to bytes and decodes UTF-8
 * leniently. Immutable and thread-safe.
 */
public final class Tokenizer {
    private final BpeModel bpe;
    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final byte[][] tokenBytes;
    private final boolean[] special;
    private final List<AddedToken> addedTokens;
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final SortedSet<Integer> specialIds;
    private final AddedTokenMatcher rawTokens;
    private final AddedTokenMatcher normalizedTokens;
    private final TextNormalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final int[] prefixIds;
    private final int[] suffixIds;
    private final String bosToken;
    private final String eosToken;

    Tokenizer(BpeModel bpe, Map<String, Integer> vocab, List<AddedToken> addedTokens, TextNormalizer normalizer,
              PreTokenizer preTokenizer, int[] prefixIds, int[] suffixIds, String bosToken, String eosToken) {
        this.bpe = bpe;
        this.vocab = vocab;
        this.addedTokens = List.copyOf(addedTokens);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.prefixIds = prefixIds.clone();
        this.suffixIds = suffixIds.clone();
        this.bosToken = bosToken;
        this.eosToken = eosToken;

        int size = 0;
        for (int id : vocab.values()) size = Math.max(size, id + 1);
        for (AddedToken t : addedTokens) size = Math.max(size, t.id() + 1);
        idToToken = new String[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) idToToken[e.getValue()] = e.getKey();
        special = new boolean[size];
        TreeSet<Integer> specials = new TreeSet<>();
        List<AddedToken> raw = new ArrayList<>(), norm = new ArrayList<>();
        for (AddedToken t : addedTokens) {
            idToToken[t.id()] = t.content();
            addedByContent.putIfAbsent(t.content(), t);
            if (t.special()) {
                special[t.id()] = true;
                specials.add(t.id());
            }
            (t.normalized() ? norm : raw).add(t);
        }
        specialIds = Collections.unmodifiableSortedSet(specials);
        rawTokens = new AddedTokenMatcher(raw, s -> s);
        normalizedTokens = new AddedTokenMatcher(norm, normalizer::apply);
        tokenBytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            String tok = idToToken[id];
            if (tok == null) continue;
            // Added tokens are plain text unless written in byte-level characters; ByteLevel.decodeToken handles both.
            tokenBytes[id] = ByteLevel.decodeToken(tok);
        }
    }

    /**
     * Loads the tokenizer of a model folder: tokenizer.json, or else vocab.json + merges.txt (+ added tokens from
     * tokenizer_config.json and added_tokens.json). modelDir may also be a tokenizer.json file.
     *
     * @throws ttsi.engine.format.FormatException when files are missing, malformed or of an unsupported kind
     */
    public static Tokenizer load(Path modelDir) {
        return TokenizerLoader.load(modelDir);
    }

    /** Encodes text without adding BOS/EOS; added tokens written in the text are recognized. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /** Encodes text; with addSpecialTokens, adds what the post-processor adds (Llama 3's BOS). */
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecialTokens) out.addAll(prefixIds);
        if (rawTokens.isEmpty()) {
            encodeSegment(text, out);
        } else {
            rawTokens.split(text, new AddedTokenMatcher.Sink() {
                @Override
                public void text(int start, int end) {
                    encodeSegment(text.substring(start, end), out);
                }

                @Override
                public void token(int id) {
                    out.add(id);
                }
            });
        }
        if (addSpecialTokens) out.addAll(suffixIds);
        return out.toArray();
    }

    /** Text between raw added tokens: normalize, cut normalized added tokens, split, BPE. */
    private void encodeSegment(String segment, IntList out) {
        if (segment.isEmpty()) return;
        String norm = normalizer.apply(segment);
        if (normalizedTokens.isEmpty()) {
            encodePlain(norm, out);
            return;
        }
        normalizedTokens.split(norm, new AddedTokenMatcher.Sink() {
            @Override
            public void text(int start, int end) {
                encodePlain(norm.substring(start, end), out);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
    }

    private void encodePlain(String text, IntList out) {
        preTokenizer.split(text, word -> bpe.encodeWord(word, out));
    }

    /** Decodes ids to text, special tokens included. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes ids to text. Invalid UTF-8 (for instance half an emoji) becomes U+FFFD as in HF; ids the tokenizer
     * does not know (the model's padding rows) are skipped, as HF skips them.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int len = 0;
        for (int id : ids) {
            byte[] b = rawTokenBytes(id);
            if (b != null && !(skipSpecialTokens && special[id])) len += b.length;
        }
        byte[] all = new byte[len];
        int at = 0;
        for (int id : ids) {
            byte[] b = rawTokenBytes(id);
            if (b == null || (skipSpecialTokens && special[id])) continue;
            System.arraycopy(b, 0, all, at, b.length);
            at += b.length;
        }
        return Utf8.decode(all, 0, len);
    }

    /** A decoder for one generation stream, special tokens included. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this, false);
    }

    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    /** The bytes a token stands for (a copy), or null for an unknown id. For constrained decoding and the like. */
    public byte[] tokenBytes(int id) {
        byte[] b = rawTokenBytes(id);
        return b == null ? null : b.clone();
    }

    byte[] rawTokenBytes(int id) {
        return id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
    }

    /** Highest token id + 1, added tokens included (the model's embedding may have more rows). */
    public int vocabSize() {
        return idToToken.length;
    }

    /** The id of a token as written in the vocabulary (byte-level form, e.g. "Ġthe") or of an added token. */
    public OptionalInt id(String token) {
        AddedToken t = addedByContent.get(token);
        if (t != null) return OptionalInt.of(t.id());
        Integer id = vocab.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The token string of an id (byte-level form for vocabulary entries), or null for an unknown id. */
    public String token(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** Ids of the added tokens flagged special, ascending. */
    public SortedSet<Integer> specialIds() {
        return specialIds;
    }

    /** All added tokens, as listed by the tokenizer files. */
    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    /** What encode(text, true) puts before the text (e.g. Llama 3's BOS), and after it. */
    public int[] prefixIds() {
        return prefixIds.clone();
    }

    public int[] suffixIds() {
        return suffixIds.clone();
    }

    /** The BOS token named by tokenizer_config.json (or special_tokens_map.json), if any. */
    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    public OptionalInt bosId() {
        return bosToken == null ? OptionalInt.empty() : id(bosToken);
    }

    public OptionalInt eosId() {
        return eosToken == null ? OptionalInt.empty() : id(eosToken);
    }

    BpeModel bpe() {
        return bpe;
    }

    /** The pre-tokenizer, for inspection and tests. */
    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }
}
