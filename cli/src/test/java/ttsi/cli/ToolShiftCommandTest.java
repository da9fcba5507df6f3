package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.tokenizer.Tokenizer;

class ToolShiftCommandTest {
    @Test
    void generatesTheWorldAndATokenizerThatLoads(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("toolshift");
        var r = CliTest.run("toolshift", "generate", "--out", out.toString(), "--train", "200", "--dev", "20", "--test", "30",
                "--synthesis", "40", "--tokenizer-vocab", "600");
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"train.jsonl", "dev.jsonl", "test.jsonl", "sft.jsonl", "manifest.json", "tokenizer/tokenizer.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(30, Files.readAllLines(out.resolve("test.jsonl")).stream().filter(l -> !l.isBlank()).count());
        Tokenizer tok = Tokenizer.load(out.resolve("tokenizer"));
        String text = "<|im_start|>user\nBook a table for two in Lisbon<|im_end|>";
        assertEquals(text, tok.decode(tok.encode(text)));
        // Same seed, same files.
        Path again = dir.resolve("again");
        CliTest.run("toolshift", "generate", "--out", again.toString(), "--train", "200", "--dev", "20", "--test", "30", "--synthesis", "40");
        assertEquals(Files.readString(out.resolve("test.jsonl")), Files.readString(again.resolve("test.jsonl")));
        // The generated split loads as a benchmark and its gold answers score 100%.
        var e = CliTest.run("eval", "--benchmark", "toolshift", "--data-dir", dir.toString(), "--gold", "--format", "json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("\"accuracy\":1.0") || e.out().contains("\"accuracy\" : 1.0"), e.out());
    }
}
