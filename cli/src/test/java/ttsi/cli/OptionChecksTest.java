package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numeric options out of range or NaN are refused before any work starts, with a message naming the option. */
class OptionChecksTest {
    private static void refused(Path out, String expected, String... args) {
        var r = CliTest.run(args);
        assertTrue(r.code() != 0, String.join(" ", args) + " was accepted");
        assertTrue(r.err().contains(expected), "message for " + String.join(" ", args) + ": " + r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
        assertFalse(Files.exists(out), "something was written for " + String.join(" ", args));
    }

    @Test
    void runRefusesBadNumbers(@TempDir Path dir) {
        Path out = dir.resolve("run");
        String[][] cases = {
                {"--tau", "NaN", "--tau must be in [0, 1], got NaN"}, {"--tau", "-1", "--tau must be in [0, 1], got -1.0"},
                {"--tau", "5", "--tau must be in [0, 1], got 5.0"}, {"--k", "0", "--k must be >= 1, got 0"}, {"--k", "-3", "--k must be >= 1"},
                {"--lr", "NaN", "--lr must be a number > 0"}, {"--lr", "0", "--lr must be a number > 0"}, {"--alpha", "NaN", "--alpha must be"},
                {"--epochs", "0", "--epochs must be >= 1"}, {"--seeds", "0", "--seeds must be >= 1"}, {"--limit", "-1", "--limit must be >= 0"},
                {"--synthesis-temperature", "NaN", "--synthesis-temperature must be a number >= 0"}, {"--rank", "0", "--rank must be >= 1"},
                {"--threads", "0", "--threads must be >= 1"}};
        for (String[] c : cases) {
            refused(out, c[2], "run", "--model", dir.resolve("no-model").toString(), "--benchmark", "toolshift", "--method", "tt-si",
                    "--out", out.toString(), c[0], c[1]);
        }
    }

    @Test
    void finetuneAndGenerateRefuseBadNumbers(@TempDir Path dir) {
        Path out = dir.resolve("adapter");
        String[][] cases = {
                {"--alpha", "NaN", "--alpha must be a number > 0, got NaN"}, {"--max-grad-norm", "NaN", "--max-grad-norm must be a number >= 0"},
                {"--weight-decay", "-1", "--weight-decay must be a number >= 0, got -1.0"}, {"--lr", "-1e-4", "--lr must be a number > 0"},
                {"--warmup-ratio", "2", "--warmup-ratio must be in [0, 1]"}, {"--dropout", "1", "--dropout must be in [0, 0.99]"},
                {"--batch-size", "0", "--batch-size must be >= 1"}};
        for (String[] c : cases) {
            refused(out, c[2], "finetune", "--model", dir.resolve("no-model").toString(), "--data", dir.resolve("no-data.jsonl").toString(),
                    "--out", out.toString(), c[0], c[1]);
        }
        String[][] gen = {{"--temperature", "NaN", "--temperature must be a number >= 0, got NaN"}, {"--top-p", "0", "--top-p must be in"},
                {"--max-tokens", "0", "--max-tokens must be >= 1"}, {"--top-k", "-1", "--top-k must be >= 0"}};
        for (String[] c : gen) refused(out, c[2], "generate", "--model", dir.resolve("no-model").toString(), "--prompt", "hi", c[0], c[1]);
    }

    @Test
    void serveRefusesABodyLimitThatOverflowsAndAnAddressThatCannotBeBound(@TempDir Path dir) {
        Path out = dir.resolve("nothing");
        refused(out, "--max-body-mb must be at most 2047", "serve", "--model", dir.toString(), "--max-body-mb", "4097");
        refused(out, "--max-body-mb must be >= 1", "serve", "--model", dir.toString(), "--max-body-mb", "0");
        refused(out, "--host 999.1.1.1 is not an address", "serve", "--model", dir.toString(), "--host", "999.1.1.1");
        refused(out, "--body-timeout must be a number > 0", "serve", "--model", dir.toString(), "--body-timeout", "NaN");
    }

    @Test
    void demoToolshiftAndRandomModelRefuseBadNumbers(@TempDir Path dir) {
        Path out = dir.resolve("out");
        refused(out, "--tau must be in [0, 1], got NaN", "demo", "--out", out.toString(), "--tau", "NaN");
        refused(out, "--k must be >= 1, got 0", "demo", "--out", out.toString(), "--k", "1,0");
        refused(out, "--lr must be a number > 0", "demo", "--out", out.toString(), "--lr", "-1");
        refused(out, "--seeds must be >= 1", "demo", "--out", out.toString(), "--seeds", "0");
        refused(out, "--test must be >= 1, got 0", "toolshift", "generate", "--out", out.toString(), "--test", "0");
        refused(out, "--reps must be >= 1, got 0", "bench", "engine", "--reps", "0");
        refused(out, "--decode-context must be in [-1, 16], got 17", "bench", "engine", "--prefill", "16", "--decode-context", "17");
        refused(out, "--stream-share must be in [0, 1], got NaN", "bench", "serve", "--stream-share", "NaN");
        refused(out, "--std must be a number > 0, got NaN", "random-model", "--out", out.toString(), "--shape", "qwen2.5-0.5b", "--tokenizer", dir.toString(), "--std", "NaN");
    }
}
