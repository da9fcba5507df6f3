package ttsi.engine.format;

import static ttsi.engine.format.BadInputTest.assertFails;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.model.Model;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;

/** Broken GGUF files give a FormatException naming the file and the tensor, key or field, and what was expected. */
class GgufBadInputTest {

    static final Path GOOD = GgufGoldenTest.DIR.resolve("qwen2-f16-f16.gguf");

    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] good() throws IOException {
        return Files.readAllBytes(GOOD);
    }

    private static int indexOf(byte[] hay, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) if (hay[i + j] != n[j]) continue outer;
            return i;
        }
        throw new AssertionError("'" + needle + "' not in the fixture");
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = good();
        b[0] = 'X';
        Path f = write("bad-magic.gguf", b);
        assertFails(f, "bad magic", () -> Model.load(f));
    }

    @Test
    void unsupportedVersion() throws IOException {
        byte[] b = good();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 99);
        Path f = write("v99.gguf", b);
        assertFails(f, "unsupported GGUF version 99 (expected 2 or 3)", () -> Model.load(f));
    }

    @Test
    void truncatedInTheHeader() throws IOException {
        Path f = write("short.gguf", Arrays.copyOf(good(), 200));
        assertFails(f, "truncated GGUF header", () -> Model.load(f));
    }

    @Test
    void truncatedInTheData() throws IOException {
        byte[] b = good();
        Path f = write("cut.gguf", Arrays.copyOf(b, b.length - 100));
        assertFails(f, "runs past the end of the data", () -> Model.load(f));
        assertFails(f, "file truncated?", () -> Model.load(f));
    }

    @Test
    void unsupportedTensorTypeNamesTheTypeAndTheTensor() throws IOException {
        byte[] b = good();
        // tensor info: name, n_dims (u32), dims (u64 each), type (u32), offset (u64); make blk.0.ffn_up Q4_K (12)
        String name = "blk.0.ffn_up.weight";
        int at = indexOf(b, name) + name.length();
        int nDims = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 4 + 8 * nDims, 12);
        Path f = write("q4k.gguf", b);
        assertFails(f, "tensor 'blk.0.ffn_up.weight' has type Q4_K, which is not supported (supported: F32, F16, BF16, Q8_0)", () -> Model.load(f));
    }

    @Test
    void missingMetadataKey() throws IOException {
        byte[] b = good();
        int at = indexOf(b, "qwen2.block_count");
        b[at + "qwen2.block_coun".length()] = 'X';
        Path f = write("no-blocks.gguf", b);
        assertFails(f, "missing metadata key 'qwen2.block_count'", () -> Model.load(f));
    }

    @Test
    void unsupportedArchitecture() throws IOException {
        byte[] b = good();
        // the value of general.architecture is the string "qwen2": make it "qwen9"
        int at = indexOf(b, "general.architecture") + "general.architecture".length() + 4 + 8;
        b[at + 4] = '9';
        Path f = write("arch.gguf", b);
        assertFails(f, "unsupported architecture: general.architecture 'qwen9' (supported: qwen2, llama, qwen3)", () -> Model.load(f));
    }

    @Test
    void unsupportedTokenizerModel() throws IOException {
        byte[] b = good();
        int at = indexOf(b, "tokenizer.ggml.model") + "tokenizer.ggml.model".length() + 4 + 8;
        b[at] = 'X'; // "gpt2" -> "Xpt2"
        Path f = write("tok.gguf", b);
        assertFails(f, "metadata 'tokenizer.ggml.model' is 'Xpt2', which is not supported", () -> Tokenizer.load(f));
    }

    @Test
    void missingChatTemplate() {
        assertFails(GOOD, "missing metadata key 'tokenizer.chat_template'", () -> ChatTemplate.load(GOOD));
    }

    @Test
    void aFolderWithTwoGgufFilesIsAmbiguous() throws IOException {
        Files.copy(GOOD, tmp.resolve("a.gguf"));
        Files.copy(GOOD, tmp.resolve("b.gguf"));
        assertFails(tmp, "holds 2 .gguf files [a.gguf, b.gguf] and no config.json: pass the one to load", () -> Model.load(tmp));
    }
}
