package ttsi.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import ttsi.engine.SharedData;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;

/**
 * The tokenizer and chat template of a GGUF file against the Hugging Face folder it was made from. The vocab-only
 * GGUF files (about 5-10 MB each, too large to commit) are made at test time by llama.cpp's converter, through
 * src/test/resources/gguf/make_fixtures.py (see its docstring for the one hook this machine needs: no transformers
 * package), from the real tokenizers in ../shared/models; the test skips when ../shared, /usr/bin/python3 with torch,
 * or the converter is missing. Ids must equal the tokenizer.json path's for every text of
 * src/test/resources/tokenizer/texts.json (with and without special tokens) and, for Qwen3 and Llama 3, Hugging
 * Face's own ids (the DJL goldens); every chat of src/test/resources/chat/chats must render identically.
 */
class GgufTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OUT = Path.of("target/gguf-vocab");

    /** A vocab-only GGUF made from a shared tokenizer folder (cached under target/ between runs). */
    static Path vocabGguf(String model, String arch, String pre) throws Exception {
        Path dir = SharedData.require("models/" + model);
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "/usr/bin/python3 not found; skipping");
        Path converter = SharedData.require("tools/llamacpp/convert_hf_to_gguf.py");
        Assumptions.assumeTrue(Files.isRegularFile(converter), "llama.cpp converter not found; skipping");
        Files.createDirectories(OUT);
        Path out = OUT.resolve(model + ".gguf");
        if (Files.isRegularFile(out)) return out;
        Path tmp = OUT.resolve(model + ".tmp.gguf");
        Process p = new ProcessBuilder(python.toString(), "src/test/resources/gguf/make_fixtures.py", "vocab", dir.toString(), tmp.toString(), arch, pre)
                .redirectErrorStream(true).redirectOutput(OUT.resolve(model + ".log").toFile()).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String log = Files.readString(OUT.resolve(model + ".log"));
        Assumptions.assumeFalse(log.contains("No module named"), "the converter's Python modules are missing (" + lastLine(log) + "); skipping");
        if (!done || p.exitValue() != 0) throw new AssertionError("make_fixtures.py vocab " + model + " failed:\n" + log);
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines[lines.length - 1];
    }

    static List<String> texts() throws IOException {
        try (InputStream in = GgufTokenizerTest.class.getResourceAsStream("/tokenizer/texts.json")) {
            JsonNode root = JSON.readTree(in);
            List<String> out = new ArrayList<>();
            for (JsonNode t : root.isArray() ? root : root.path("texts")) out.add(t.isTextual() ? t.asText() : t.path("text").asText());
            if (out.isEmpty()) throw new IllegalStateException("no texts in texts.json");
            return out;
        }
    }

    private static void sameTokenizer(Path gguf, Path hf) throws IOException {
        Tokenizer g = Tokenizer.load(gguf), h = Tokenizer.load(hf);
        assertEquals(h.vocabSize(), g.vocabSize(), "vocabulary size");
        List<String> texts = new ArrayList<>(texts());
        texts.add("<|im_start|>user\nHi<|im_end|>\n<tool_call>{\"a\": 1}</tool_call><|begin_of_text|><|eot_id|>");
        for (String t : texts) {
            assertArrayEquals(h.encode(t), g.encode(t), () -> "encode " + t);
            assertArrayEquals(h.encode(t, true), g.encode(t, true), () -> "encode with special tokens " + t);
            int[] ids = h.encode(t);
            assertEquals(h.decode(ids), g.decode(ids), () -> "decode " + t);
        }
        assertEquals(h.eosId(), g.eosId(), "eos");
    }

    private static void goldenIds(Path gguf, String golden) throws IOException {
        Tokenizer g = Tokenizer.load(gguf);
        try (InputStream in = GgufTokenizerTest.class.getResourceAsStream("/tokenizer/" + golden)) {
            for (JsonNode c : JSON.readTree(in).get("cases")) {
                int[] ids = new int[c.get("ids").size()];
                for (int i = 0; i < ids.length; i++) ids[i] = c.get("ids").get(i).asInt();
                assertArrayEquals(ids, g.encode(c.get("text").asText()), () -> golden + " " + c.get("name").asText());
            }
        }
    }

    private static void sameChatTemplate(Path gguf, Path hf) throws IOException {
        ChatTemplate g = ChatTemplate.load(gguf).withoutStrftime(), h = ChatTemplate.load(hf).withoutStrftime();
        Path chats = Path.of("src/test/resources/chat/chats");
        List<Path> files;
        try (Stream<Path> s = Files.list(chats)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        int rendered = 0;
        for (Path f : files) {
            ObjectNode chat = (ObjectNode) JSON.readTree(f.toFile());
            for (boolean gen : new boolean[] {false, true}) {
                chat.put("add_generation_prompt", gen);
                String expected;
                try {
                    expected = h.render(chat);
                } catch (RuntimeException e) {
                    continue; // a chat this template refuses (the same template refuses it from the GGUF too)
                }
                assertEquals(expected, g.render(chat), f.getFileName() + " add_generation_prompt=" + gen);
                rendered++;
            }
        }
        Assumptions.assumeTrue(rendered > 0, "no chat rendered");
    }

    @Test
    void qwen25FromVocabJsonAndMergesTxt() throws Exception {
        Path gguf = vocabGguf("Qwen2.5-0.5B-Instruct", "qwen2", "qwen2");
        Path hf = SharedData.require("models/Qwen2.5-0.5B-Instruct");
        sameTokenizer(gguf, hf);
        sameChatTemplate(gguf, hf);
    }

    @Test
    void qwen3FromTokenizerJson() throws Exception {
        Path gguf = vocabGguf("Qwen3-0.6B", "qwen2", "qwen2");
        Path hf = SharedData.require("models/Qwen3-0.6B");
        sameTokenizer(gguf, hf);
        goldenIds(gguf, "golden-qwen3.json");
        sameChatTemplate(gguf, hf);
    }

    @Test
    void llama3FromTokenizerJson() throws Exception {
        Path gguf = vocabGguf("llama3.1-tokenizer", "llama", "llama-bpe");
        Path hf = SharedData.require("models/llama3.1-tokenizer");
        sameTokenizer(gguf, hf);
        goldenIds(gguf, "golden-llama3.json");
        sameChatTemplate(gguf, hf);
    }
}
