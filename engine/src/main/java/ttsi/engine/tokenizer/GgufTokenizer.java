package ttsi.engine.tokenizer;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ttsi.engine.format.FormatException;
import ttsi.engine.format.Gguf;

/**
 * A tokenizer and chat template from a GGUF file's metadata (what llama.cpp's converter writes from tokenizer.json):
 * {@code tokenizer.ggml.model} "gpt2" (byte-level BPE), {@code tokens}, {@code token_type}, {@code merges}, the
 * pre-tokenizer by name ({@code tokenizer.ggml.pre}: qwen2, llama-bpe, gpt-2), BOS/EOS ids and
 * {@code add_bos_token}; {@code tokenizer.chat_template}.
 */
final class GgufTokenizer {
    private GgufTokenizer() {}

    // llama.cpp's token types (gguf-py TokenType)
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    static Tokenizer load(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            return from(Gguf.open(file, arena));
        }
    }

    static Tokenizer from(Gguf g) {
        Path file = g.file();
        String model = g.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new FormatException(file, "metadata 'tokenizer.ggml.model' is '" + model + "', which is not supported (expected gpt2: byte-level BPE)");
        }
        List<String> tokens = g.strings("tokenizer.ggml.tokens");
        long[] types = g.hasKey("tokenizer.ggml.token_type") ? g.integers("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != tokens.size()) {
            throw new FormatException(file, "metadata 'tokenizer.ggml.token_type' has " + types.length + " entries for " + tokens.size() + " tokens");
        }
        Map<String, Integer> vocab = new HashMap<>(tokens.size() * 2);
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            int type = types == null ? NORMAL : (int) types[id];
            String t = tokens.get(id);
            switch (type) {
                case NORMAL, BYTE, UNKNOWN -> vocab.putIfAbsent(t, id);
                case CONTROL -> added.add(new AddedToken(id, t, true, false, false, false, false));
                case USER_DEFINED -> added.add(new AddedToken(id, t, false, false, false, false, false));
                case UNUSED -> { } // the converter's [PADn] fillers up to the embedding's size
                default -> throw new FormatException(file, "metadata 'tokenizer.ggml.token_type' [" + id + "] is " + type + " (expected 1 to 6)");
            }
        }
        List<String[]> merges = new ArrayList<>();
        if (g.hasKey("tokenizer.ggml.merges")) {
            for (String m : g.strings("tokenizer.ggml.merges")) {
                String[] parts = m.split(" ", -1);
                if (parts.length != 2) throw new FormatException(file, "metadata 'tokenizer.ggml.merges': expected \"left right\", got \"" + m + "\"");
                merges.add(parts);
            }
        }
        String pre = g.hasKey("tokenizer.ggml.pre") ? g.string("tokenizer.ggml.pre") : "default";
        TextNormalizer normalizer = TextNormalizer.IDENTITY;
        List<PreTokenizer.Step> steps = new ArrayList<>();
        boolean ignoreMerges = false;
        switch (pre) {
            case "qwen2" -> {
                normalizer = TextNormalizer.unicode(Normalizer.Form.NFC);
                steps.add(PreTokenizer.isolated(PreTokenizer.compile(PreTokenizer.QWEN2_REGEX)));
            }
            case "llama-bpe" -> {
                steps.add(PreTokenizer.isolated(PreTokenizer.compile(PreTokenizer.LLAMA3_REGEX)));
                ignoreMerges = true; // Llama 3's tokenizer.json sets ignore_merges, and llama.cpp does the same for llama-bpe
            }
            case "gpt-2", "default" -> steps.add(PreTokenizer.byteLevel(false, true));
            default -> throw new FormatException(file, "metadata 'tokenizer.ggml.pre' is '" + pre
                    + "', which is not supported (expected qwen2, llama-bpe or gpt-2)");
        }
        BpeModel bpe;
        try {
            bpe = new BpeModel(vocab, merges, ignoreMerges, null);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "tokenizer metadata: " + e.getMessage(), e);
        }
        String bos = tokenAt(g, tokens, "tokenizer.ggml.bos_token_id");
        String eos = tokenAt(g, tokens, "tokenizer.ggml.eos_token_id");
        // Without add_bos_token, llama.cpp adds BOS for llama-bpe (as Llama 3's post-processor does) and not otherwise.
        int[] prefix = g.bool("tokenizer.ggml.add_bos_token", pre.equals("llama-bpe")) && bos != null
                ? new int[] {(int) g.integer("tokenizer.ggml.bos_token_id")} : new int[0];
        int[] suffix = g.bool("tokenizer.ggml.add_eos_token", false) && eos != null
                ? new int[] {(int) g.integer("tokenizer.ggml.eos_token_id")} : new int[0];
        return new Tokenizer(bpe, vocab, added, normalizer, new PreTokenizer(steps), prefix, suffix, bos, eos);
    }

    /** The token a metadata id names, or null when the key is absent. */
    static String tokenAt(Gguf g, List<String> tokens, String key) {
        if (!g.hasKey(key)) return null;
        long id = g.integer(key);
        if (id < 0 || id >= tokens.size()) throw new FormatException(g.file(), "metadata '" + key + "' is " + id + ", not a token id (" + tokens.size() + " tokens)");
        return tokens.get((int) id);
    }

    /** The chat template source and the special tokens it may reference (bos_token, eos_token, ...). */
    static ChatTemplate chatTemplate(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            Gguf g = Gguf.open(file, arena);
            if (!g.hasKey("tokenizer.chat_template")) throw new FormatException(file, "missing metadata key 'tokenizer.chat_template' (no chat template)");
            String source = g.string("tokenizer.chat_template");
            List<String> tokens = g.hasKey("tokenizer.ggml.tokens") ? g.strings("tokenizer.ggml.tokens") : List.of();
            Map<String, String> special = new java.util.LinkedHashMap<>();
            for (String[] k : new String[][] {{"bos_token", "bos"}, {"eos_token", "eos"}, {"unk_token", "unknown"}, {"pad_token", "padding"}}) {
                String t = tokenAt(g, tokens, "tokenizer.ggml." + k[1] + "_token_id");
                if (t != null) special.put(k[0], t);
            }
            return ChatTemplate.fromGguf(source, special, file);
        }
    }
}
