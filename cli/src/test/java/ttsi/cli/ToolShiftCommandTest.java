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
    void trainsTheChainOfModelsEachFromTheOneItNames(@TempDir Path dir) throws Exception {
        String[] small = {"--out", dir.toString(), "--train", "100", "--dev", "4", "--test", "10", "--synthesis", "20", "--tokenizer-vocab", "500",
                "--step-scale", "0.002"};
        // A link whose start is not trained yet is refused with a message that names it.
        var early = CliTest.run(concat(new String[] {"toolshift", "train", "--recipe", "chain", "--only", "student-late"}, small));
        assertTrue(early.code() != 0 && early.err().contains("student-mid"), early.err());
        var r = CliTest.run(concat(new String[] {"toolshift", "train", "--recipe", "chain", "--only", "student-base,student-mid"}, small));
        assertEquals(0, r.code(), r.err());
        for (String m : new String[] {"student-base", "student-mid"}) {
            Path d = dir.resolve(m);
            for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "training.json",
                    "loss.csv", "loss.png", "dev.csv", "dev.png"}) {
                assertTrue(Files.isRegularFile(d.resolve(f)), m + "/" + f);
            }
            assertTrue(!Files.exists(d.resolve("work")), "the checkpoint folder is gone once " + m + " is saved");
        }
        var info = ttsi.agent.json.Json.MAPPER.readTree(dir.resolve("student-mid/training.json").toFile());
        assertEquals("student-base", info.path("from").asText());
        assertEquals(1, info.path("world_seed").asInt());
        assertEquals(2, Files.readAllLines(dir.resolve("student-mid/dev.csv")).size(), "one evaluation, at the last step");
        // Finished: nothing to do.
        var again = CliTest.run(concat(new String[] {"toolshift", "train", "--recipe", "chain", "--only", "student-base"}, small));
        assertTrue(again.err().contains("already trained"), again.err());
    }

    @Test
    void theDefaultRecipeTrainsTheStudentThenTheTeacherFromIt(@TempDir Path dir) throws Exception {
        String[] small = {"--out", dir.toString(), "--train", "100", "--dev", "4", "--test", "10", "--synthesis", "20", "--tokenizer-vocab", "500",
                "--step-scale", "0.001"};
        var bad = CliTest.run(concat(new String[] {"toolshift", "train", "--recipe", "fast"}, small));
        assertTrue(bad.code() != 0 && bad.err().contains("--recipe takes chain, compact or compact-turns, got 'fast'"), bad.err());
        // No --recipe: compact-turns, the recipe of the committed models.
        var r = CliTest.run(concat(new String[] {"toolshift", "train"}, small));
        assertEquals(0, r.code(), r.err());
        var student = ttsi.agent.json.Json.MAPPER.readTree(dir.resolve("student/training.json").toFile());
        var teacher = ttsi.agent.json.Json.MAPPER.readTree(dir.resolve("teacher/training.json").toFile());
        assertTrue(student.path("from").isMissingNode() || student.path("from").isNull(), "the student starts from random weights: " + student.path("from"));
        assertEquals(2, student.path("phases").size());
        assertEquals("student", teacher.path("from").asText());
        assertTrue(teacher.path("privileged").asBoolean());
        assertTrue(!student.path("privileged").asBoolean());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
