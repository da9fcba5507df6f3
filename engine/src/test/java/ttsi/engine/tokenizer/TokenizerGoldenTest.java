package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import ttsi.engine.SharedData;

/**
 * Qwen3, Llama 3 and two GPT-2 style fixtures against ids and texts from Hugging Face's Rust tokenizer
 * (tools/make-tokenizer-goldens.sh).
 */
class TokenizerGoldenTest {
    private static final ConcurrentHashMap<String, Tokenizer> LOADED = new ConcurrentHashMap<>();
    private static final String FIXTURES = "engine/src/test/resources/";

    /** A tokenizer named as in a golden file: under shared/, or a fixture among the test resources. */
    static Tokenizer tokenizer(String rel) {
        return LOADED.computeIfAbsent(rel, r -> Tokenizer.load(r.startsWith(FIXTURES) ? resource(r.substring(FIXTURES.length())) : SharedData.require(r)));
    }

    static Path resource(String rel) {
        try {
            return Path.of(TokenizerGoldenTest.class.getResource("/" + rel).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> qwen3Encodes() {
        return encodeTests("golden-qwen3.json");
    }

    @TestFactory
    Stream<DynamicTest> llama3Encodes() {
        return encodeTests("golden-llama3.json");
    }

    private Stream<DynamicTest> encodeTests(String golden) {
        Goldens.File g = Goldens.load(golden);
        return g.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Tokenizer t = tokenizer(g.tokenizer());
            assertArrayEquals(c.ids(), t.encode(c.text()), () -> "encode " + c.name());
        }));
    }

    @TestFactory
    Stream<DynamicTest> gpt2FixtureEncodes() {
        return encodeTests("golden-gpt2-fixture.json");
    }

    @TestFactory
    Stream<DynamicTest> gpt2PrefixSpaceFixtureEncodes() {
        return encodeTests("golden-gpt2-prefix-fixture.json");
    }

    @TestFactory
    Stream<DynamicTest> fixtureDecodes() {
        return Stream.concat(decodeTests("golden-gpt2-fixture.json"), decodeTests("golden-gpt2-prefix-fixture.json"));
    }

    @TestFactory
    Stream<DynamicTest> qwen3Decodes() {
        return decodeTests("golden-qwen3.json");
    }

    @TestFactory
    Stream<DynamicTest> llama3Decodes() {
        return decodeTests("golden-llama3.json");
    }

    private Stream<DynamicTest> decodeTests(String golden) {
        Goldens.File g = Goldens.load(golden);
        return Stream.of(DynamicTest.dynamicTest("reference decodes", () -> {
            Tokenizer t = tokenizer(g.tokenizer());
            for (Goldens.Decode d : g.decodes()) {
                assertEquals(d.text(), t.decode(d.ids(), d.skipSpecial()), () -> "decode " + java.util.Arrays.toString(d.ids()));
            }
        }));
    }

    @Test
    void roundTripQwen3() {
        roundTrip("golden-qwen3.json", true);
    }

    @Test
    void roundTripLlama3() {
        roundTrip("golden-llama3.json", false);
    }

    @Test
    void roundTripGpt2Fixture() {
        roundTrip("golden-gpt2-fixture.json", false);
    }

    /** decode(encode(t)) gives t back, NFC-normalized where the tokenizer normalizes. */
    private void roundTrip(String golden, boolean nfc) {
        Goldens.File g = Goldens.load(golden);
        Tokenizer t = tokenizer(g.tokenizer());
        for (Goldens.Case c : g.cases()) {
            // No round trip through tokens with lstrip/rstrip (they swallow spaces) or written in byte-level chars.
            if (t.addedTokens().stream().anyMatch(a -> c.text().contains(a.content())
                    && (a.lstrip() || a.rstrip() || !t.decode(new int[] {a.id()}).equals(a.content())))) continue;
            String expected = nfc ? Normalizer.normalize(c.text(), Normalizer.Form.NFC) : c.text();
            assertEquals(expected, t.decode(t.encode(c.text())), c.name());
        }
    }

    @Test
    void streamingDecodeNeverEmitsPartialCharacters() {
        for (String golden : List.of("golden-qwen3.json", "golden-llama3.json")) {
            Goldens.File g = Goldens.load(golden);
            Tokenizer t = tokenizer(g.tokenizer());
            for (String name : List.of("emoji", "cjk", "arabic", "indic-thai", "nonbmp-letters", "mixed-no-spaces", "long-mixed")) {
                int[] ids = g.get(name).ids();
                StreamingDecoder sd = t.streamingDecoder();
                StringBuilder all = new StringBuilder();
                boolean heldBack = false;
                for (int id : ids) {
                    String piece = sd.push(id);
                    heldBack |= sd.hasPending();
                    assertFalse(piece.contains("\uFFFD"), () -> golden + " " + name + ": U+FFFD in a streamed piece");
                    if (!piece.isEmpty()) {
                        assertFalse(Character.isHighSurrogate(piece.charAt(piece.length() - 1)), "half a surrogate pair");
                        assertFalse(Character.isLowSurrogate(piece.charAt(0)), "half a surrogate pair");
                    }
                    all.append(piece);
                }
                all.append(sd.flush());
                assertEquals(t.decode(ids), all.toString(), golden + " " + name);
                if (name.equals("emoji")) assertTrue(heldBack, "emoji tokens should split UTF-8 characters");
            }
        }
    }

    @Test
    void streamingMatchesDecodeOnInvalidSequences() {
        // Prefixes of the emoji ids end inside characters: push+flush must give HF's U+FFFD handling too.
        Tokenizer t = tokenizer("models/Qwen3-0.6B/tokenizer.json");
        for (Goldens.Decode d : Goldens.load("golden-qwen3.json").decodes()) {
            StreamingDecoder sd = t.streamingDecoder(d.skipSpecial());
            StringBuilder sb = new StringBuilder();
            for (int id : d.ids()) sb.append(sd.push(id));
            sb.append(sd.flush());
            assertEquals(d.text(), sb.toString());
        }
    }

    @Test
    void specialTokensAndAccessors() {
        Tokenizer q = tokenizer("models/Qwen3-0.6B/tokenizer.json");
        assertEquals(151669, q.vocabSize());
        assertEquals(151644, q.id("<|im_start|>").getAsInt());
        assertEquals(151645, q.eosId().getAsInt());
        assertEquals("<|im_end|>", q.eosToken().orElseThrow());
        assertTrue(q.bosToken().isEmpty());
        assertTrue(q.isSpecial(151643));
        assertFalse(q.isSpecial(151657)); // <tool_call> is an added token but not special
        assertEquals("<tool_call>", q.token(151657));
        assertEquals("Ġthe", q.token(279));
        assertEquals(279, q.id("Ġthe").getAsInt());
        assertEquals(14, q.specialIds().size());
        assertEquals(0, q.prefixIds().length);
        assertArrayEquals(q.encode("hi"), q.encode("hi", true));
        assertEquals(null, q.token(200000));
        assertEquals("ab", q.decode(new int[] {64, 151900, 65})); // unknown ids are skipped, as HF does

        Tokenizer l = tokenizer("models/llama3.1-tokenizer/tokenizer.json");
        assertEquals(128256, l.vocabSize());
        assertEquals(128000, l.bosId().getAsInt());
        assertEquals(128009, l.eosId().getAsInt());
        assertArrayEquals(new int[] {128000}, l.prefixIds());
        int[] plain = l.encode("Hello world");
        int[] withBos = l.encode("Hello world", true);
        assertEquals(plain.length + 1, withBos.length);
        assertEquals(128000, withBos[0]);
        assertEquals("Hello world", l.decode(withBos, true));
        assertEquals("<|begin_of_text|>Hello world", l.decode(withBos));
    }

    @Test
    void longWordsAreFast() {
        Tokenizer t = tokenizer("models/Qwen3-0.6B/tokenizer.json");
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) sb.append((char) ('a' + r.nextInt(26)));
        String word = sb.toString();
        long t0 = System.nanoTime();
        int[] ids = t.encode(word);
        int[] same = t.encode("x".repeat(10_000));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(word, t.decode(ids));
        assertEquals("x".repeat(10_000), t.decode(same));
        assertTrue(ms < 5_000, "two 10,000-char words took " + ms + " ms");
        System.out.printf("10,000-char words: %d + %d tokens in %d ms%n", ids.length, same.length, ms);
    }

    @Test
    void throughputOnLongText() {
        for (String golden : List.of("golden-qwen3.json", "golden-llama3.json")) {
            Goldens.File g = Goldens.load(golden);
            Tokenizer t = tokenizer(g.tokenizer());
            String text = g.get("long-mixed").text();
            long bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            int rounds = 0;
            long tokens = 0;
            long t0 = System.nanoTime();
            // Bounded: about one second, so as not to load the shared machine.
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                tokens += t.encode(text).length;
                rounds++;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("encode throughput %s: %.2f MB/s, %.0f tokens/s (%d rounds of %d bytes)%n",
                    golden, rounds * bytes / s / 1e6, tokens / s, rounds, bytes);
        }
    }
}
