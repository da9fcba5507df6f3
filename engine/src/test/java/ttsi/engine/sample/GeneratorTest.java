package ttsi.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.Golden;
import ttsi.engine.model.Model;
import ttsi.engine.tokenizer.ByteLevel;

/**
 * Generation on the golden qwen2 checkpoint (vocab 256) with a byte tokenizer written for it: token i is byte i,
 * so any generated ids decode to text and stop strings can be tested.
 */
class GeneratorTest {
    @TempDir
    static Path dir;
    static Model model;

    @BeforeAll
    static void setUp() throws Exception {
        Path src = Golden.ROOT.resolve("qwen2-tied-bias");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        var mapper = new ObjectMapper();
        var tj = mapper.createObjectNode();
        tj.put("version", "1.0");
        tj.putArray("added_tokens");
        tj.putNull("normalizer");
        var pre = tj.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("use_regex", true);
        tj.putNull("post_processor");
        tj.putObject("decoder").put("type", "ByteLevel");
        var m = tj.putObject("model");
        m.put("type", "BPE");
        var vocab = m.putObject("vocab");
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
        m.putArray("merges");
        Files.writeString(dir.resolve("tokenizer.json"), mapper.writeValueAsString(tj));
        model = Model.load(dir);
    }

    static SamplingParams params(double temp, long seed, int max, List<Integer> stopIds, List<String> stops) {
        return new SamplingParams(temp, 0, 1, seed, max, stopIds, stops);
    }

    @Test
    void greedyGenerationEqualsArgmaxOfFullRecompute() {
        int[] prompt = model.tokenizer().encode("Hello");
        var g = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(0, 0, 12, List.of(), List.of()), null);
        assertEquals(12, g.ids().length);
        assertEquals("length", g.finishReason());
        int[] seq = prompt.clone();
        for (int i = 0; i < 12; i++) {
            float[] logits = model.decoder().forward(model.decoder().newState(), seq, 0, seq.length, 1);
            int next = Sampler.argmax(logits, 0, 256);
            assertEquals(next, g.ids()[i], "token " + i);
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
        }
        assertEquals(model.tokenizer().decode(g.ids()), g.text());
    }

    @Test
    void sameSeedSameTokens() {
        int[] prompt = model.tokenizer().encode("abc");
        var a = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(1.0, 7, 20, List.of(), List.of()), null);
        var b = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(1.0, 7, 20, List.of(), List.of()), null);
        var c = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(1.0, 8, 20, List.of(), List.of()), null);
        assertArrayEquals(a.ids(), b.ids());
        assertFalse(java.util.Arrays.equals(a.ids(), c.ids()));
    }

    @Test
    void stopsOnEosIdsAndStopStrings() {
        int[] prompt = model.tokenizer().encode("xyz");
        var free = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(1.0, 3, 24, List.of(), List.of()), null);
        // An eos id: generation ends before it, and it is not part of the output.
        int eos = free.ids()[5];
        int firstEos = 0;
        while (free.ids()[firstEos] != eos) firstEos++;
        var e = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(1.0, 3, 24, List.of(eos), List.of()), null);
        assertEquals("stop", e.finishReason());
        assertArrayEquals(java.util.Arrays.copyOf(free.ids(), firstEos), e.ids());
        // A stop string taken from the middle of the free text: the text is cut right before it.
        String text = free.text();
        String stop = text.substring(6, 8);
        List<String> streamed = new ArrayList<>();
        var s = Generator.generate(model.decoder(), model.tokenizer(), prompt, params(1.0, 3, 24, List.of(), List.of(stop)), streamed::add);
        assertEquals("stop", s.finishReason());
        assertEquals(text.substring(0, text.indexOf(stop)), s.text());
        assertEquals(s.text(), String.join("", streamed), "streamed pieces add up to the text, without the stop string");
    }

    @Test
    void streamingConcatenatesToTheText() {
        List<String> pieces = new ArrayList<>();
        var g = Generator.generate(model.decoder(), model.tokenizer(), model.tokenizer().encode("Q:"), params(0.8, 11, 30, List.of(), List.of("never-appears")), pieces::add);
        assertEquals(g.text(), String.join("", pieces));
        assertNotEquals(0, pieces.size());
    }

    @Test
    void heldBackCoversPartialStopStrings() {
        var p = params(0, 0, 1, List.of(), List.of("</tool_call>"));
        assertEquals(3, Generator.heldBack("abc</t", p));
        assertEquals(0, Generator.heldBack("abc", p));
        assertEquals(1, Generator.heldBack("abc<", p));
    }

    @Test
    void contextOverflowIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Generator.generate(model.decoder(), model.tokenizer(), new int[] {1, 2}, params(0, 0, 1_000_000, List.of(), List.of()), null));
        assertTrue(e.getMessage().contains("exceeds the model's context"), e.getMessage());
    }
}
