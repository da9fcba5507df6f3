package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import ttsi.engine.SharedData;

/**
 * Qwen2.5 ships vocab.json + merges.txt only. Its BPE is Qwen3's, and so are the added tokens up to
 * &lt;|file_sep|&gt; = 151664; Qwen3 adds &lt;tool_response&gt;, &lt;think&gt; and their closers (151665-151668).
 */
class TokenizerFallbackTest {
    private static final int QWEN25_LAST_ADDED = 151664;

    @Test
    void qwen25VocabAndMergesGiveQwen3ReferenceIds() {
        Tokenizer t = Tokenizer.load(SharedData.require("models/Qwen2.5-0.5B-Instruct"));
        int compared = 0;
        for (Goldens.Case c : Goldens.load("golden-qwen3.json").cases()) {
            if (Arrays.stream(c.ids()).anyMatch(id -> id > QWEN25_LAST_ADDED)) continue; // Qwen3-only tokens
            if (c.text().contains("<tool_response>") || c.text().contains("<think>") || c.text().contains("</think>")) continue;
            assertArrayEquals(c.ids(), t.encode(c.text()), c.name());
            compared++;
        }
        assertTrue(compared > 150, "compared only " + compared);
    }

    @Test
    void qwen25AddedTokensAndNames() {
        Tokenizer t = Tokenizer.load(SharedData.require("models/Qwen2.5-0.5B-Instruct"));
        assertEquals(151665, t.vocabSize());
        assertEquals(22, t.addedTokens().size());
        assertEquals(151644, t.id("<|im_start|>").getAsInt());
        assertEquals(151645, t.eosId().getAsInt());
        assertTrue(t.bosId().isEmpty());
        assertTrue(t.isSpecial(151643));
        assertFalse(t.isSpecial(151657)); // <tool_call>
        assertEquals(14, t.specialIds().size());
        assertEquals(0, t.prefixIds().length);
        assertEquals("<|im_start|>user\nhé<|im_end|>", t.decode(t.encode("<|im_start|>user\nhe\u0301<|im_end|>"))); // NFC
    }

    @Test
    void aV5FolderThatNamesSpecialTokensWithoutIdsIsRefusedUntilTheIdsAreAdded(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // The 1.5B folder has vocab.json + merges.txt and a v5 tokenizer_config.json that names <|im_end|> and the
        // other special tokens but gives no ids (those live in tokenizer.json, which the folder lacks). Loaded as is,
        // "<|im_end|>" used to become 6 plain-text ids with no warning.
        java.nio.file.Path src = SharedData.require("models/Qwen2.5-1.5B-Instruct");
        var e = org.junit.jupiter.api.Assertions.assertThrows(ttsi.engine.format.FormatException.class, () -> Tokenizer.load(src));
        assertTrue(e.getMessage().contains("tokenizer_config.json: the special token '<|") && e.getMessage().contains("copy tokenizer.json (or added_tokens.json)"),
                e.getMessage());
        // Adding the ids (Qwen2.5's added_tokens.json, the same for every size) fixes it.
        for (String f : new String[] {"vocab.json", "merges.txt", "tokenizer_config.json"}) java.nio.file.Files.copy(src.resolve(f), dir.resolve(f));
        java.nio.file.Files.copy(SharedData.require("models/Qwen2.5-0.5B-Instruct/added_tokens.json"), dir.resolve("added_tokens.json"));
        Tokenizer t = Tokenizer.load(dir);
        assertEquals(151645, t.id("<|im_end|>").getAsInt());
        assertEquals(151645, t.eosId().getAsInt());
        assertArrayEquals(new int[] {151644, 872, 198}, t.encode("<|im_start|>user\n"));
        Goldens.File g = Goldens.load("golden-qwen3.json");
        for (String name : new String[] {"english", "python", "cjk", "emoji", "unicode-spaces", "long-mixed"}) {
            Goldens.Case c = g.get(name);
            if (Arrays.stream(c.ids()).anyMatch(id -> id >= 151643)) continue;
            assertArrayEquals(c.ids(), t.encode(c.text()), name);
        }
    }
}
