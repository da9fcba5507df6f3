package ttsi.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Random;
import ttsi.engine.format.DType;

/**
 * Kernel throughput on Qwen2.5 shapes: GEMV in GB/s of weight bytes, GEMM in GFLOP/s, best of several runs.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp engine/target/classes ttsi.engine.tensor.KernelBench [threads] [all]</pre>
 * With "all" it adds the 1.5B shapes, f16 and more row counts.
 */
public final class KernelBench {
    private KernelBench() {}

    private static final Arena ARENA = Arena.ofShared();
    private static final Random RND = new Random(42);

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        boolean all = args.length > 1 && args[1].equals("all");
        Locale.setDefault(Locale.ROOT);
        System.out.printf("threads=%d, species=%s%n", threads, Simd.F);
        try (Parallel p = new Parallel(threads)) {
            System.out.println("-- GEMV (decode), GB/s of weight bytes");
            for (int[] s : new int[][] {{4864, 896}, {896, 4864}, {151936, 896}}) {
                gemv(p, DType.BF16, s[0], s[1], 1);
            }
            for (int rows : new int[] {2, 4, 5, 8}) gemv(p, DType.BF16, 4864, 896, rows);
            gemv(p, DType.F32, 4864, 896, 1);
            if (all) {
                gemv(p, DType.F16, 4864, 896, 1);
                gemv(p, DType.BF16, 8960, 1536, 1);
                gemv(p, DType.BF16, 1536, 8960, 1);
            }
            System.out.println("-- GEMM, GFLOP/s");
            int[][] shapes = all ? new int[][] {{4864, 896}, {896, 4864}, {8960, 1536}, {1536, 8960}} : new int[][] {{4864, 896}, {896, 4864}};
            int[] rowCounts = all ? new int[] {64, 256, 1024} : new int[] {256};
            for (int[] s : shapes) {
                for (int rows : rowCounts) {
                    gemm(p, DType.BF16, s[0], s[1], rows);
                    if (rows == 256) gemm(p, DType.F32, s[0], s[1], rows);
                }
            }
            for (int[] s : shapes) backInput(p, DType.BF16, s[0], s[1], 256);
            for (int[] s : shapes) backWeight(p, s[0], s[1], 256);
        }
    }

    static Matrix randomMatrix(DType dt, int rows, int cols) {
        long n = (long) rows * cols;
        // Native memory, offset by 2 bytes, like an unaligned tensor inside a mapped checkpoint.
        MemorySegment seg = ARENA.allocate(n * dt.bytes + 64, 64).asSlice(2, n * dt.bytes);
        for (long i = 0; i < n; i++) {
            float v = (float) (RND.nextGaussian() * 0.05);
            switch (dt) {
                case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Matrix.floatToBf16(v));
                case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            }
        }
        return new Matrix(dt, seg, rows, cols);
    }

    static float[] randomFloats(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) RND.nextGaussian();
        return a;
    }

    /** Best time in seconds over runs lasting ~0.6 s in total (after a short warm-up). */
    static double best(Runnable r) {
        long warmEnd = System.nanoTime() + 300_000_000L;
        int warm = 0;
        while (System.nanoTime() < warmEnd || warm < 3) {
            r.run();
            warm++;
        }
        double best = Double.MAX_VALUE;
        long end = System.nanoTime() + 600_000_000L;
        int runs = 0;
        while (System.nanoTime() < end || runs < 5) {
            long t = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
            runs++;
        }
        return best;
    }

    static void gemv(Parallel p, DType dt, int n, int k, int rows) {
        Matrix w = randomMatrix(dt, n, k);
        float[] x = randomFloats(rows * k), y = new float[rows * n];
        double t = best(() -> MatMul.linear(p, x, rows, w, null, y));
        double bytes = (double) n * k * dt.bytes;
        System.out.printf("linear %-4s rows=%-4d %6d x %-5d  %7.1f GB/s  (%.3f ms, %.1f GFLOP/s)%n", dt, rows, n, k,
                bytes / t / 1e9, t * 1e3, 2.0 * rows * n * k / t / 1e9);
    }

    static void gemm(Parallel p, DType dt, int n, int k, int rows) {
        Matrix w = randomMatrix(dt, n, k);
        float[] x = randomFloats(rows * k), y = new float[rows * n];
        double t = best(() -> MatMul.linear(p, x, rows, w, null, y));
        System.out.printf("linear %-4s rows=%-4d %5d -> %-5d %7.1f GFLOP/s (%.2f ms)%n", dt, rows, k, n,
                2.0 * rows * n * k / t / 1e9, t * 1e3);
    }

    static void backInput(Parallel p, DType dt, int n, int k, int rows) {
        Matrix w = randomMatrix(dt, n, k);
        float[] dy = randomFloats(rows * n), dx = new float[rows * k];
        double t = best(() -> MatMul.linearBackwardInput(p, dy, rows, w, dx, false));
        System.out.printf("backwardInput %-4s rows=%-4d W %5d x %-5d %7.1f GFLOP/s (%.2f ms)%n", dt, rows, n, k,
                2.0 * rows * n * k / t / 1e9, t * 1e3);
    }

    static void backWeight(Parallel p, int n, int k, int rows) {
        float[] dy = randomFloats(rows * n), x = randomFloats(rows * k), dw = new float[n * k];
        double t = best(() -> MatMul.linearBackwardWeight(p, dy, x, rows, n, k, dw));
        System.out.printf("backwardWeight f32 rows=%-4d dW %5d x %-5d %7.1f GFLOP/s (%.2f ms)%n", rows, n, k,
                2.0 * rows * n * k / t / 1e9, t * 1e3);
    }
}
