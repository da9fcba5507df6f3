package ttsi.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sizing the driver prints: from the weight files, with the ratio measured in docs/PERFORMANCE.md. */
class ExecutorSizingTest {
    @TempDir
    Path tmp;

    @Test
    void qwen15bInBf16() throws Exception {
        // Qwen2.5-1.5B in bf16: 1,543,714,304 parameters x 2 bytes, in two shards (a sparse file has the size without the disk).
        Files.writeString(tmp.resolve("config.json"), "{}");
        long total = 1_543_714_304L * 2;
        try (RandomAccessFile a = new RandomAccessFile(tmp.resolve("model-00001-of-00002.safetensors").toFile(), "rw");
             RandomAccessFile b = new RandomAccessFile(tmp.resolve("model-00002-of-00002.safetensors").toFile(), "rw")) {
            a.setLength(total / 2);
            b.setLength(total - total / 2);
        }
        ExecutorSizing s = ExecutorSizing.of(tmp);
        assertEquals(total, s.weightBytes());
        // 13.4 GiB measured peak resident on Seal-Tools samples over 3.09 GB of weights, plus 0.5 GiB for the JVM.
        double peakGiB = (s.heapBytes() + s.weightBytes()) / (1024.0 * 1024 * 1024);
        assertTrue(peakGiB > 13.4 && peakGiB < 14.5, "peak " + peakGiB);
        String text = s.describe();
        assertTrue(text.contains("--executor-memory 11g") && text.contains("spark.executor.memoryOverhead=4g"), text);
    }
}
