package ttsi.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How much memory an executor needs for a model, from its weight files and the peaks measured on the development
 * machine (docs/PERFORMANCE.md): Qwen2.5-0.5B (0.99 GB of bf16 weights) peaked at 2.9 GiB resident with a 256-token
 * LoRA step and 5.8 GiB at 950 tokens; Qwen2.5-1.5B (3.1 GB) at 6.5 GiB and 13.4 GiB on Seal-Tools samples. So about
 * 4.5x the weights at the longest inputs, of which the weights themselves are memory-mapped (outside the heap, but
 * counted in a container's memory) and the rest is heap (activations and LoRA training buffers).
 */
record ExecutorSizing(long weightBytes, long heapBytes, long overheadBytes) {
    /** Peak resident memory over weight bytes, measured (1.5B on Seal-Tools: 13.4 GiB / 3.1 GB). */
    static final double PEAK_OVER_WEIGHTS = 4.6;

    static ExecutorSizing of(Path modelDir) throws IOException {
        long bytes = 0;
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".safetensors") || n.endsWith(".gguf")) bytes += Files.size(p);
            }
        }
        long peak = (long) (bytes * PEAK_OVER_WEIGHTS) + (512L << 20);
        // The weights are mapped, not on the heap: they go to the overhead (off-heap) share, with 512 MiB for the JVM.
        return new ExecutorSizing(bytes, peak - bytes, bytes + (512L << 20));
    }

    String describe() {
        return String.format(Locale.ROOT, "the model's weights are %.2f GB; each concurrent task needs about %.1f GiB of heap and %.1f GiB "
                        + "off-heap (--executor-memory %dg --conf spark.executor.memoryOverhead=%dg for one task per executor; "
                        + "see docs/SCALE.md)", weightBytes / 1e9, heapBytes / GIB, overheadBytes / GIB,
                (long) Math.ceil(heapBytes / GIB), (long) Math.ceil(overheadBytes / GIB));
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
