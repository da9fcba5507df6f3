package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.format.FormatException;

/** Bad tokenizer files fail with a FormatException that names the file and the problem. */
class TokenizerErrorTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void assertFails(Path dir, String file, String... fragments) {
        FormatException e = assertThrows(FormatException.class, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().contains(file), () -> "message should name " + file + ": " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> "message should say '" + f + "': " + e.getMessage());
    }

    /** Writes the GPT-2 fixture's tokenizer.json into dir after an edit. */
    private void fixtureWith(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode tj = (ObjectNode) JSON.readTree(TokenizerGoldenTest.resource("tokenizer/gpt2-fixture/tokenizer.json").toFile());
        edit.accept(tj);
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
    }

    @Test
    void missingFolder() {
        assertFails(dir.resolve("nope"), "nope", "no such folder");
    }

    @Test
    void emptyFolder() {
        assertFails(dir, "tokenizer.json", "not found");
    }

    @Test
    void malformedTokenizerJson() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {");
        assertFails(dir, "tokenizer.json", "malformed JSON");
    }

    @Test
    void unknownModelType() throws IOException {
        fixtureWith(tj -> ((ObjectNode) tj.get("model")).put("type", "WordPiece"));
        assertFails(dir, "tokenizer.json", "WordPiece", "BPE");
    }

    @Test
    void missingModel() throws IOException {
        fixtureWith(tj -> tj.remove("model"));
        assertFails(dir, "tokenizer.json", "model");
    }

    @Test
    void mergeOfUnknownToken() throws IOException {
        fixtureWith(tj -> ((com.fasterxml.jackson.databind.node.ArrayNode) tj.get("model").get("merges")).add("Ġ zzz"));
        assertFails(dir, "tokenizer.json", "Ġ zzz", "not in the vocabulary");
    }

    @Test
    void badMergeEntry() throws IOException {
        fixtureWith(tj -> ((com.fasterxml.jackson.databind.node.ArrayNode) tj.get("model").get("merges")).add(42));
        assertFails(dir, "tokenizer.json", "model.merges");
    }

    @Test
    void unsupportedPreTokenizer() throws IOException {
        fixtureWith(tj -> tj.putObject("pre_tokenizer").put("type", "Metaspace"));
        assertFails(dir, "tokenizer.json", "Metaspace");
    }

    @Test
    void notByteLevel() throws IOException {
        fixtureWith(tj -> tj.putNull("pre_tokenizer"));
        assertFails(dir, "tokenizer.json", "ByteLevel");
    }

    @Test
    void badRegex() throws IOException {
        fixtureWith(tj -> {
            ObjectNode split = JSON.createObjectNode().put("type", "Split").put("behavior", "Isolated");
            split.putObject("pattern").put("Regex", "(unclosed");
            var byteLevel = tj.get("pre_tokenizer");
            tj.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers").add(split).add(byteLevel);
        });
        assertFails(dir, "tokenizer.json", "regex");
    }

    @Test
    void unsupportedDecoder() throws IOException {
        fixtureWith(tj -> tj.putObject("decoder").put("type", "WordPiece"));
        assertFails(dir, "tokenizer.json", "decoder");
    }

    @Test
    void malformedTokenizerConfig() throws IOException {
        fixtureWith(tj -> { });
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": ");
        assertFails(dir, "tokenizer_config.json", "malformed JSON");
    }

    @Test
    void vocabWithoutMerges() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"GPT2Tokenizer\"}");
        assertFails(dir, "merges.txt", "not found");
    }

    @Test
    void malformedVocabJson() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "[1, 2");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertFails(dir, "vocab.json", "malformed JSON");
    }

    @Test
    void vocabJsonNotAnObject() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "[1, 2]");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertFails(dir, "vocab.json", "expected an object");
    }

    @Test
    void vocabAndMergesNeedTokenizerConfig() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertFails(dir, "tokenizer_config.json", "tokenizer_class");
    }

    @Test
    void unsupportedTokenizerClass() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"LlamaTokenizer\"}");
        assertFails(dir, "tokenizer_config.json", "LlamaTokenizer");
    }

    @Test
    void badMergesLine() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\nab\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"GPT2Tokenizer\"}");
        assertFails(dir, "merges.txt", "line 3");
    }

    @Test
    void specialTokensNamedButWithoutAnIdAreRefused() throws IOException {
        // The transformers v5 layout: vocab.json + merges.txt, special tokens only by name, no ids anywhere.
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "extra_special_tokens": ["<|im_start|>", "<|im_end|>"]}""");
        assertFails(dir, "tokenizer_config.json", "the special token '<|im_", "has no id", "copy tokenizer.json (or added_tokens.json)");
        // With the ids (the v4 layout's added_tokens.json) the same folder loads, and each special token is one id.
        Files.writeString(dir.resolve("added_tokens.json"), "{\"<|im_start|>\": 3, \"<|im_end|>\": 4}");
        Tokenizer t = Tokenizer.load(dir);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 2, 4}, t.encode("<|im_start|>ab<|im_end|>"));
    }
}
