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
    void qwen25WithoutAddedTokensStillEncodesPlainText() {
        // The 1.5B folder has vocab.json + merges.txt and a v5 tokenizer_config.json with no added tokens.
        Tokenizer t = Tokenizer.load(SharedData.require("models/Qwen2.5-1.5B-Instruct"));
        Goldens.File g = Goldens.load("golden-qwen3.json");
        for (String name : new String[] {"english", "python", "cjk", "emoji", "unicode-spaces", "long-mixed"}) {
            Goldens.Case c = g.get(name);
            if (Arrays.stream(c.ids()).anyMatch(id -> id >= 151643)) continue;
            assertArrayEquals(c.ids(), t.encode(c.text()), name);
        }
        assertEquals(151643, t.vocabSize());
    }
}
