import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tokenizer golden files from Hugging Face's own (Rust) tokenizer, reached through DJL.
 * Usage: MakeTokenizerGoldens TEXTS.json SHARED_DIR REPO_DIR OUT_DIR NAME=TOKENIZER_JSON...
 * where TOKENIZER_JSON is relative to REPO_DIR (fixtures) or else to SHARED_DIR.
 * Run through tools/make-tokenizer-goldens.sh, which builds the DJL classpath.
 */
public class MakeTokenizerGoldens {
    // Texts whose every id prefix is decoded too: they exercise U+FFFD on split UTF-8 characters.
    static final List<String> PREFIX_DECODES = List.of("emoji", "cjk", "nfd", "arabic", "nonbmp-letters");
    // Texts decoded with and without skipping special tokens.
    static final List<String> SPECIAL_DECODES =
            List.of("chatml", "chatml-spaces", "think", "llama-header", "fx-mask", "fx-rstrip", "fx-single-word", "fx-longest",
                    "fx-byte-level-added");
    // Pieces that random texts are made of: the regexes' edge cases (Unicode spaces and digits, contractions,
    // combining marks, surrogate pairs) next to each other, and added tokens of all the tokenizers.
    static final String[] FUZZ_PIECES = {
        "a", "b", "Z", "é", "e\u0301", "\u017f", "'", "s", "t", "ll", "'s", "'T", "'LL", " ", "  ", "\t", "\n", "\r", "\r\n",
        "\u00a0", "\u3000", "\u2009", "\u0085", "\u200b", "\u000b", "1", "23", "4567", "\u0663", "\u00bd", "\u216b", ".", ",",
        "!", "?", "(", ")", "{", "}", "\"", "_", "-", "#", "$", "\\", "\u4e2d", "\u6587", "\u65e5\u672c", "\ud55c",
        "\u0628", "\ud83d\ude00", "\ud83d\udc4d\ud83c\udffd", "\u200d", "\ufe0f", "\u0301", "\ud835\udc00",
        "\ud83c\uddeb\ud83c\uddf7", "<|im_start|>", "<|im_end|>", "<think>", "<|begin_of_text|>", "<|eot_id|>", "<mask>",
        "[R]", "dog", " dog", "<|end|>", "<|endoftext|>", "<", "|", ">",
    };

    public static void main(String[] a) throws Exception {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        Path shared = Path.of(a[1]);
        Path repo = Path.of(a[2]);
        Path outDir = Path.of(a[3]);
        Map<String, String> texts = new LinkedHashMap<>();
        for (var e : JsonParser.parseString(Files.readString(Path.of(a[0]))).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            texts.put(o.get("name").getAsString(), o.get("text").getAsString());
        }
        texts.put("space-run-200", " ".repeat(200) + "word" + " ".repeat(100) + "\n".repeat(50) + "end");
        StringBuilder longText = new StringBuilder();
        while (longText.length() < 6000) {
            for (var e : texts.entrySet()) {
                if (e.getKey().startsWith("long") || e.getKey().startsWith("space-run")) continue;
                longText.append(e.getValue()).append("\n\n");
            }
        }
        texts.put("long-mixed", longText.toString());
        java.util.Random random = new java.util.Random(20240601);
        for (int k = 0; k < 150; k++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(24);
            for (int j = 0; j < n; j++) sb.append(FUZZ_PIECES[random.nextInt(FUZZ_PIECES.length)]);
            texts.put("fuzz-" + k, sb.toString());
        }

        var opts = Map.of("truncation", "false", "addSpecialTokens", "false");
        for (int i = 4; i < a.length; i++) {
            String name = a[i].substring(0, a[i].indexOf('='));
            String rel = a[i].substring(a[i].indexOf('=') + 1);
            Path file = Files.exists(repo.resolve(rel)) ? repo.resolve(rel) : shared.resolve(rel);
            try (var tok = HuggingFaceTokenizer.newInstance(file, opts)) {
                StringBuilder out = new StringBuilder();
                out.append("{\n\"generator\": \"tools/make-tokenizer-goldens.sh (Hugging Face tokenizers via DJL 0.36.0)\",\n");
                out.append("\"tokenizer\": ").append(gson.toJson(rel)).append(",\n\"cases\": [\n");
                List<String> rows = new ArrayList<>();
                Map<String, long[]> idsByName = new LinkedHashMap<>();
                for (var e : texts.entrySet()) {
                    long[] ids = tok.encode(e.getValue()).getIds();
                    idsByName.put(e.getKey(), ids);
                    JsonObject row = new JsonObject();
                    row.addProperty("name", e.getKey());
                    row.addProperty("text", e.getValue());
                    row.add("ids", toJson(ids));
                    rows.add(gson.toJson(row));
                }
                out.append(String.join(",\n", rows)).append("\n],\n\"decodes\": [\n");
                rows.clear();
                for (String n : PREFIX_DECODES) {
                    long[] ids = idsByName.get(n);
                    if (name.startsWith("gpt2")) continue; // the fixtures' vocabulary has no multi-byte tokens
                    for (int k = 1; k <= ids.length; k++) {
                        long[] prefix = java.util.Arrays.copyOf(ids, k);
                        rows.add(decodeRow(gson, tok, prefix, false));
                        // The single last token alone too: often an incomplete UTF-8 sequence.
                        rows.add(decodeRow(gson, tok, new long[] {ids[k - 1]}, false));
                    }
                }
                for (String n : SPECIAL_DECODES) {
                    rows.add(decodeRow(gson, tok, idsByName.get(n), false));
                    rows.add(decodeRow(gson, tok, idsByName.get(n), true));
                }
                out.append(String.join(",\n", rows)).append("\n]\n}\n");
                Files.writeString(outDir.resolve("golden-" + name + ".json"), out, StandardCharsets.UTF_8);
                System.out.println("wrote golden-" + name + ".json: " + texts.size() + " texts, " + rows.size() + " decodes");
            }
        }
    }

    static String decodeRow(Gson gson, HuggingFaceTokenizer tok, long[] ids, boolean skip) {
        JsonObject row = new JsonObject();
        row.add("ids", toJson(ids));
        row.addProperty("skipSpecial", skip);
        row.addProperty("text", tok.decode(ids, skip));
        return gson.toJson(row);
    }

    static JsonArray toJson(long[] ids) {
        JsonArray arr = new JsonArray();
        for (long id : ids) arr.add(id);
        return arr;
    }
}
