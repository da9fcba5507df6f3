package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ttsi, on this build's classes (TTSI_CLASSPATH, so no jar is built or used): no JVM warning on stderr, and the
 * program's exit codes, stdin, stdout and stderr are what a plain java command gives.
 */
@EnabledOnOs(OS.LINUX)
class LauncherTest {
    static final Path LAUNCHER = Path.of("../bin/ttsi").toAbsolutePath().normalize();

    record Result(int code, String out, String err) {}

    static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("TTSI_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("TTSI_JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("TTSI_JAVA_OPTS");
        return pb.start();
    }

    static Result finish(Process p) throws Exception {
        CompletableFuture<String> out = read(p.getInputStream()), err = read(p.getErrorStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/ttsi did not finish");
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    static Result run(String... args) throws Exception {
        Process p = start(args);
        p.getOutputStream().close();
        return finish(p);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Process p, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.ok()) {
            if (!p.isAlive()) throw new AssertionError("ended before " + what + ": " + finish(p));
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void versionPrintsNoJvmWarning() throws Exception {
        Result r = run("--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("ttsi " + Main.VERSION), r.out());
        assertEquals("", r.err(), "nothing on stderr, in particular not 'WARNING: Using incubator modules'");
    }

    @Test
    void exitCodesAndErrorsAreTheProgramsOwn(@TempDir Path dir) throws Exception {
        Result usage = run("--no-such-option");
        assertEquals(2, usage.code(), usage.err());
        assertTrue(usage.err().startsWith("Unknown option: '--no-such-option'"), usage.err());
        assertFalse(usage.err().contains("incubator"), usage.err());
        Result failed = run("data", "show", "no-such-benchmark", "--data-dir", dir.toString());
        assertEquals(1, failed.code(), failed.err());
        assertTrue(failed.err().startsWith("ttsi: ") && failed.err().lines().count() == 1, failed.err());
        assertEquals("", failed.out());
    }

    @Test
    void stdinReachesTheProgramAndStderrIsHandedBackAtStartUp(@TempDir Path dir) throws Exception {
        var gen = CliTest.run("toolshift", "generate", "--out", dir.resolve("toolshift").toString(), "--train", "20", "--dev", "4", "--test", "6",
                "--synthesis", "0");
        assertEquals(0, gen.code(), gen.err());
        Process p = start("eval", "--benchmark", "toolshift", "--data-dir", dir.toString(), "--predictions", "/dev/stdin",
                "--verdicts", dir.resolve("verdicts.jsonl").toString());
        try {
            // Once the JVM runs (exe is java), fd 3 (the real stderr the launcher passed) is closed as soon as main has
            // moved it onto fd 2, and the filter's pipe (the old fd 2) with it. fd 3 itself is soon reused (a classpath
            // jar, or /dev/stdin), so the check is on pipes: after the hand-off the only pipes are stdin's, stdout's and
            // the real stderr on fd 2 (plus /dev/stdin reopened, which is stdin's pipe).
            Path proc = Path.of("/proc/" + p.pid());
            await(p, "stderr handed back (no pipe left but fds 0-2 and stdin's)", () -> {
                if (!Files.readSymbolicLink(proc.resolve("exe")).toString().endsWith("/java")) return false;
                String in = Files.readSymbolicLink(proc.resolve("fd/0")).toString();
                try (var fds = Files.list(proc.resolve("fd"))) {
                    return fds.filter(f -> Integer.parseInt(f.getFileName().toString()) > 2).noneMatch(f -> {
                        try {
                            String t = Files.readSymbolicLink(f).toString();
                            return t.startsWith("pipe:") && !t.equals(in);
                        } catch (IOException e) {
                            return false; // closed meanwhile
                        }
                    });
                }
            });
            // Write only once the program has opened /dev/stdin: a pipe opened after its writer has gone never ends.
            String stdinPipe = Files.readSymbolicLink(proc.resolve("fd/0")).toString();
            await(p, "/dev/stdin opened", () -> {
                try (var fds = Files.list(proc.resolve("fd"))) {
                    return fds.filter(f -> !f.getFileName().toString().equals("0")).anyMatch(f -> {
                        try {
                            return Files.readSymbolicLink(f).toString().equals(stdinPipe);
                        } catch (IOException e) {
                            return false; // closed meanwhile
                        }
                    });
                }
            });
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write("this is not JSON\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (Throwable e) {
            p.destroyForcibly();
            throw e;
        }
        Result r = finish(p);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("ttsi: /dev/stdin:1: not valid JSON"), "the line from stdin reached the program: " + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
