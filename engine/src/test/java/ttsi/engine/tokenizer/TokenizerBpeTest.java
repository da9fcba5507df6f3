package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The two merge loops agree; lenient UTF-8 decoding matches Rust's from_utf8_lossy. */
class TokenizerBpeTest {

    @Test
    void heapMergeEqualsScanMerge() {
        BpeModel bpe = TokenizerGoldenTest.tokenizer("models/Qwen3-0.6B/tokenizer.json").bpe();
        Random r = new Random(11);
        String[] alphabet = {"a", "b", "e", "n", "s", "t", "th", "ing", " ", "  ", "1", "é", "中", "😀", "\n"};
        for (int k = 0; k < 2000; k++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(40);
            for (int i = 0; i < n; i++) sb.append(alphabet[r.nextInt(alphabet.length)]);
            int[] symbols = bpe.symbols(sb.toString().getBytes(StandardCharsets.UTF_8));
            if (symbols.length < 2) continue;
            int[] scan = bpe.mergeSmall(symbols.clone(), symbols.length);
            int[] heap = bpe.mergeLong(symbols.clone(), symbols.length);
            assertArrayEquals(scan, heap, sb.toString());
        }
    }

    private static String lossy(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return Utf8.decode(b, 0, b.length);
    }

    @Test
    void invalidUtf8BecomesOneReplacementPerMaximalSubpart() {
        assertEquals("a\uD83D\uDE00", lossy(0x61, 0xF0, 0x9F, 0x98, 0x80));
        assertEquals("\uFFFD", lossy(0xE2, 0x82)); // truncated: one U+FFFD
        assertEquals("\uFFFDA", lossy(0xE2, 0x82, 0x41));
        assertEquals("a\uFFFD\uFFFDb", lossy(0x61, 0xF0, 0x80, 0x62)); // F0 80 is never valid
        assertEquals("\uFFFD\uFFFD\uFFFD", lossy(0xED, 0xA0, 0x80)); // surrogate
        assertEquals("\uFFFD\uFFFD", lossy(0xED, 0xB0)); // rejected at the second byte, as Rust does
        assertEquals("\uFFFD\uFFFD", lossy(0xC0, 0xAF)); // overlong
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", lossy(0xF4, 0x90, 0x80, 0x80)); // above U+10FFFF
        assertEquals("\uFFFD\uFFFD", lossy(0xFF, 0x80));
        assertEquals("\uFFFD\uFFFD", lossy(0xF0, 0x9F, 0x98, 0xF0, 0x9F)); // two truncated emoji
    }

    @Test
    void agreesWithJavasDecoderOnRandomBytes() {
        // Java's UTF-8 decoder also replaces maximal subparts; a second opinion on random input. Except after
        // 0xED: for ED A0..BF (surrogates) Java replaces two bytes at once where Rust, as here, rejects ED alone.
        Random r = new Random(5);
        int compared = 0;
        for (int k = 0; k < 5000; k++) {
            byte[] b = new byte[r.nextInt(12)];
            for (int i = 0; i < b.length; i++) {
                int pick = r.nextInt(4);
                b[i] = (byte) (pick == 0 ? r.nextInt(0x80) : pick == 1 ? 0x80 + r.nextInt(0x40) : 0xC0 + r.nextInt(0x40));
            }
            if (new String(b, StandardCharsets.ISO_8859_1).indexOf('\u00ED') >= 0) continue;
            assertEquals(new String(b, StandardCharsets.UTF_8), Utf8.decode(b, 0, b.length));
            compared++;
        }
        assertTrue(compared > 3000);
    }

    @Test
    void incompleteTailIsHeldBack() {
        byte[] b = {0x61, (byte) 0xF0, (byte) 0x9F};
        StringBuilder sb = new StringBuilder();
        assertEquals(1, Utf8.decode(b, 0, b.length, sb, false));
        assertEquals("a", sb.toString());
        byte[] bad = {0x61, (byte) 0xF0, 0x41};
        sb.setLength(0);
        assertEquals(3, Utf8.decode(bad, 0, bad.length, sb, false)); // not a prefix of anything: decided now
        assertEquals("a\uFFFDA", sb.toString());
    }

    @Test
    void byteLevelTable() {
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('a', ByteLevel.charOf('a'));
        for (int b = 0; b < 256; b++) assertEquals(b, ByteLevel.byteOf(ByteLevel.charOf(b)));
        assertEquals("ĠhÃ©", ByteLevel.encode(" hé"));
        assertArrayEquals(" <x>".getBytes(StandardCharsets.UTF_8), ByteLevel.decodeToken(" <x>")); // not table chars
    }
}
