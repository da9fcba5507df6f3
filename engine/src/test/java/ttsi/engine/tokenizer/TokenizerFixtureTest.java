package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written GPT-2 style fixture (GPT-2 regex through ByteLevel use_regex, no normalizer), with expectations
 * worked out by hand. Ids: bytes 0-255 are their own ids, merges make 256-275, added tokens are 276-282.
 */
class TokenizerFixtureTest {
    static Tokenizer fixture() {
        return TokenizerGoldenTest.tokenizer("engine/src/test/resources/tokenizer/gpt2-fixture/tokenizer.json");
    }

    @Test
    void gpt2RegexAndMerges() {
        Tokenizer t = fixture();
        assertEquals(List.of("the", " world", "'s", " 12", " cats", "!!", " ", " x"), t.preTokenizer().split("the world's 12 cats!!  x"));
        assertArrayEquals(new int[] {116, 257, 264}, t.encode("the world")); // t he Ġworld: no "t he" merge
        assertArrayEquals(new int[] {258, 264, 268}, t.encode(" the world's")); // Ġthe Ġworld 's
        // "ca t" (rank 17) goes before "Ġ ca" (rank 18), and no merge joins Ġ + cat: so Ġ cat s, never Ġcat.
        assertArrayEquals(new int[] {267, 32, 273, 115}, t.encode("12 cats"));
        assertArrayEquals(new int[] {274, 114}, t.encode(" car")); // without the t, "Ġ ca" applies
        assertArrayEquals(new int[] {266, 32, 120}, t.encode("   x")); // ĠĠ then Ġx is not merged
        assertEquals("12 cats", t.decode(t.encode("12 cats")));
    }

    @Test
    void addedTokenFlags() {
        Tokenizer t = fixture();
        assertArrayEquals(new int[] {97, 277, 32, 98}, t.encode("a <mask> b")); // lstrip eats the space before
        assertArrayEquals(new int[] {120, 32, 278, 121}, t.encode("x [R]   y")); // rstrip eats the spaces after
        // single_word: not inside "hotdog", yes after a space.
        assertArrayEquals(new int[] {104, 111, 116, 100, 111, 103, 32, 279}, t.encode("hotdog dog"));
        assertArrayEquals(new int[] {100, 111, 103, 95}, t.encode("dog_"));
        assertArrayEquals(new int[] {280, 276}, t.encode("<|end|><|endoftext|>")); // longest match wins
        assertEquals(283, t.vocabSize());
        assertEquals("a<\uFFFD>b  x", t.decode(new int[] {97, 281, 98, 282})); // added tokens go through the byte table
        assertTrue(t.isSpecial(277));
        assertFalse(t.isSpecial(278));
        assertEquals("<|endoftext|>", t.bosToken().orElseThrow()); // given as {"content": ...}
        assertEquals(276, t.bosId().getAsInt());
        assertEquals(280, t.eosId().getAsInt());
        assertEquals("a b", t.decode(t.encode("a <mask> b"), true));
    }

    @Test
    void prefixSpaceIsAddedPerSegment() {
        Tokenizer t = TokenizerGoldenTest.tokenizer("engine/src/test/resources/tokenizer/gpt2-prefix-fixture/tokenizer.json");
        assertArrayEquals(new int[] {271}, t.encode("hi"));
        assertArrayEquals(new int[] {271}, t.encode(" hi"));
        assertArrayEquals(new int[] {276, 271}, t.encode("<|endoftext|>hi"));
    }

    @Test
    void vocabAndMergesFallbackWithGpt2Class(@TempDir Path dir) throws IOException {
        // The fixture's vocabulary written out as vocab.json + merges.txt, as a GPT2Tokenizer folder.
        ObjectMapper json = new ObjectMapper();
        ObjectNode tj = (ObjectNode) json.readTree(TokenizerGoldenTest.resource("tokenizer/gpt2-fixture/tokenizer.json").toFile());
        json.writeValue(dir.resolve("vocab.json").toFile(), tj.get("model").get("vocab"));
        List<String> merges = new ArrayList<>(List.of("#version: 0.2"));
        tj.get("model").get("merges").forEach(m -> merges.add(m.asText()));
        Files.write(dir.resolve("merges.txt"), merges);
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), Map.of("tokenizer_class", "GPT2Tokenizer",
                "eos_token", "<|endoftext|>", "added_tokens_decoder", Map.of("276", Map.of("content", "<|endoftext|>", "special", true))));
        Tokenizer fallback = Tokenizer.load(dir);
        Tokenizer reference = fixture();
        for (Goldens.Case c : Goldens.load("golden-gpt2-fixture.json").cases()) {
            // Skip texts with added tokens that only the tokenizer.json has.
            if (reference.addedTokens().stream().anyMatch(a -> a.id() != 276 && c.text().contains(a.content()))) continue;
            assertArrayEquals(reference.encode(c.text()), fallback.encode(c.text()), c.name());
        }
        assertEquals(276, fallback.eosId().getAsInt());
        assertTrue(fallback.isSpecial(276));
    }
}
