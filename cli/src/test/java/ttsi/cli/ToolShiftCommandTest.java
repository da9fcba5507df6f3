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

    @Test
    void trainsTheStudentInStagesAndResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        String[] args = {"toolshift", "train", "--out", dir.toString(), "--only", "student", "--limit", "16", "--epochs", "1", "--train", "100", "--dev", "10", "--test", "10", "--synthesis", "20", "--tokenizer-vocab", "500"};
        var r = CliTest.run(args);
        assertEquals(0, r.code(), r.err());
        Path student = dir.resolve("student");
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "training.json",
                "stage-1.json", "stage-2.json", "loss.csv", "loss.png", "loss-stage-1.csv", "loss-stage-2.png"}) {
            assertTrue(Files.isRegularFile(student.resolve(f)), f);
        }
        assertEquals(5, Files.readAllLines(student.resolve("loss.csv")).size(), "two steps a stage, all stages in one curve");
        byte[] weights = Files.readAllBytes(student.resolve("model.safetensors"));
        // Finished: nothing to do.
        var again = CliTest.run(args);
        assertTrue(again.err().contains("already trained"), again.err());
        // Stopped after stage 1 (as a crash would leave it): the rerun trains stage 2 only, from the saved
        // checkpoint, to the same weights as the uninterrupted run.
        Path other = dir.resolve("other");
        var part = CliTest.run("toolshift", "train", "--out", other.toString(), "--only", "student", "--limit", "16", "--epochs", "1", "--train", "100", "--dev", "10", "--test", "10", "--synthesis", "20", "--tokenizer-vocab", "500", "--stages", "1");
        assertEquals(0, part.code(), part.err());
        assertTrue(Files.isRegularFile(other.resolve("student/stage-1.json")) && !Files.exists(other.resolve("student/training.json")));
        var rest = CliTest.run("toolshift", "train", "--out", other.toString(), "--only", "student", "--limit", "16", "--epochs", "1", "--train", "100", "--dev", "10", "--test", "10", "--synthesis", "20", "--tokenizer-vocab", "500");
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.err().contains("stage-1: done before"), rest.err());
        assertTrue(java.util.Arrays.equals(weights, Files.readAllBytes(other.resolve("student/model.safetensors"))), "resumed run, same weights");
        assertEquals(5, Files.readAllLines(other.resolve("student/loss.csv")).size());
    }
}
