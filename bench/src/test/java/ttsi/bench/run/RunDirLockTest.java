package ttsi.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirLockTest {
    /** Run in a child JVM: holds the lock on args[0] until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (RunDirLock lock = RunDirLock.acquire(Path.of(args[0]))) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(120_000);
            }
        }
    }

    @Test
    void aSecondHolderInTheSameProcessIsRefusedUntilTheFirstCloses(@TempDir Path dir) throws Exception {
        try (RunDirLock first = RunDirLock.acquire(dir)) {
            var e = assertThrows(IllegalStateException.class, () -> RunDirLock.acquire(dir));
            assertTrue(e.getMessage().contains(dir + " is in use by another run (process " + ProcessHandle.current().pid() + ")"), e.getMessage());
        }
        RunDirLock.acquire(dir).close();
    }

    @Test
    void anotherProcessIsNamedAndItsLockIsTakenOverOnceItIsKilled(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            var out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            assertEquals("locked", out.readLine());
            var e = assertThrows(IllegalStateException.class, () -> RunDirLock.acquire(dir));
            assertTrue(e.getMessage().contains("(process " + child.pid() + ")"), e.getMessage());
        } finally {
            child.destroyForcibly(); // kill -9: the lock file stays behind, stale
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (RunDirLock taken = RunDirLock.acquire(dir)) {
            assertTrue(taken != null);
        }
    }
}
