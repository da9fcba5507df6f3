package ttsi.bench.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a run holds on its directory, so that two {@code ttsi run} processes on the same {@code --out} cannot both
 * append to its results. An operating-system file lock on {@code RUN_DIR/.lock}: the system releases it when the
 * process dies, so a stale lock from a killed run is simply taken over. The file holds the holder's PID for the
 * message the second run prints.
 */
public final class RunDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws an IllegalStateException naming the directory and the process that holds it. */
    public static RunDirLock acquire(Path runDir) throws IOException {
        Path file = runDir.resolve(".lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by this same process
        }
        if (l == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            ch.close();
            throw new IllegalStateException(runDir + " is in use by another run (process " + (holder.isEmpty() ? "unknown" : holder)
                    + "); wait for it to finish or choose another --out");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(false);
        return new RunDirLock(ch, l);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
