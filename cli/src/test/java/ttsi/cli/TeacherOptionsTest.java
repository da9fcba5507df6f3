package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The teacher options every command shares: flags over the environment, and bad values named. */
class TeacherOptionsTest {
    @Command(name = "x")
    static final class Holder {
        @Mixin TeacherOptions teacher;
    }

    static TeacherOptions parse(String... args) {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        return h.teacher;
    }

    @Test
    void reasoningFlagsReachTheEndpointSettings() {
        var c = parse("--teacher-url", "http://127.0.0.1:9/v1", "--teacher-model", "gpt-5-mini", "--teacher-reasoning-tokens", "2048",
                "--teacher-reasoning-effort", "low").config();
        assertEquals("http://127.0.0.1:9/v1", c.baseUrl().toString());
        assertEquals("gpt-5-mini", c.model());
        assertEquals(2048, c.reasoningTokens());
        assertEquals("low", c.reasoningEffort());
        var plain = parse("--teacher-url", "http://127.0.0.1:9/v1", "--teacher-model", "m").config();
        assertEquals(System.getenv("TTSI_TEACHER_REASONING_TOKENS") == null ? 0 : plain.reasoningTokens(), plain.reasoningTokens());
    }

    @Test
    void aNegativeBudgetNamesTheOption() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> parse("--teacher-url", "http://127.0.0.1:9/v1", "--teacher-model", "m", "--teacher-reasoning-tokens", "-5").config());
        assertTrue(e.getMessage().contains("--teacher-reasoning-tokens"), e.getMessage());
    }
}
