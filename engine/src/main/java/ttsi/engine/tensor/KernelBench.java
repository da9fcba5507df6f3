package ttsi.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Kernel throughput on Qwen2.5 shapes: GEMV in GB/s of weight bytes streamed, GEMM in GFLOP/s.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp engine/target/classes ttsi.engine.tensor.KernelBench [threads] [all|train|stream]</pre>
 *
 * Every case is timed in several rounds, interleaved with the others, and the best single call is kept: on a
 * shared machine that is the figure least disturbed by other load. "all" adds the 1.5B shapes, f16 and more
 * row counts (about a minute); "1.5b" times every 1.5B projection at 256 rows; "train" times forward and input
 * gradient at 768 token rows instead. "align" times the GEMM's register tile alone on aligned and misaligned panels
 * (why the GEMM packs into aligned memory). "tail" times the decode GEMV and the dot product before and after the
 * same process runs them on lengths that are not a multiple of the vector (their tail code once made C2 box every
 * vector of their loops; Q8_0 rows are whole 32-blocks, never a tail, and its GEMV is timed alongside). "stream" times
 * one token row against rotating copies of each matrix, half a GiB of them, so that every call reads its weights
 * from memory as decode does (the other modes reuse one matrix, which stays in cache).
 */
public final class KernelBench {
    private KernelBench() {}

    private static final Arena ARENA = Arena.ofShared();
    private static final Random RND = new Random(42);

    private record Case(String label, Runnable run, double flops, double bytes, boolean gemv) {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        boolean all = args.length > 1 && args[1].equals("all");
        boolean train = args.length > 1 && args[1].equals("train");
        boolean big = args.length > 1 && args[1].equals("1.5b");
        boolean focused = train || big; // these modes time only their own cases
        Locale.setDefault(Locale.ROOT);
        System.out.printf("threads=%d, species=%s, %s%n", threads, Simd.F, Runtime.version());
        if (args.length > 1 && args[1].equals("tail")) {
            try (Parallel p = new Parallel(threads)) {
                tail(p);
            }
            return;
        }
        if (args.length > 1 && args[1].equals("align")) {
            align();
            return;
        }
        if (args.length > 1 && args[1].equals("stream")) {
            try (Parallel p = new Parallel(threads)) {
                stream(p);
            }
            return;
        }
        List<Case> cases = new ArrayList<>();
        try (Parallel p = new Parallel(threads)) {
            if (train) {
                // Test-time training's products on a typical tool prompt (~768 tokens), 0.5B shapes: forward and
                // input gradient of every projection.
                for (int[] s : new int[][] {{896, 896}, {128, 896}, {4864, 896}, {896, 4864}}) {
                    cases.add(linear(p, DType.BF16, s[0], s[1], 768));
                    cases.add(backwardInput(p, DType.BF16, s[0], s[1], 768));
                }
                // The LoRA path (r 8, f32) as Backprop runs it, B kept transposed: u = x·Aᵀ, y += u·(Bᵀ);
                // du = dy·B = dy·(Bᵀ)ᵀ, dx += du·A; dBᵀ += uᵀ·dy, dA += duᵀ·x.
                for (int[] s : new int[][] {{896, 896}, {4864, 896}, {896, 4864}}) {
                    int out = s[0], in = s[1];
                    cases.add(linear(p, DType.F32, 8, in, 768));
                    cases.add(backwardInput(p, DType.F32, 8, out, 768));
                    cases.add(linear(p, DType.F32, 8, out, 768));
                    cases.add(backwardInput(p, DType.F32, 8, in, 768));
                    cases.add(backwardWeight(p, 8, out, 768));
                    cases.add(backwardWeight(p, 8, in, 768));
                }
            }
            if (big) {
                // Every projection of a Qwen2.5-1.5B prefill (q/o, k/v, gate/up, down) and training's input gradient.
                for (int[] s : new int[][] {{1536, 1536}, {256, 1536}, {8960, 1536}, {1536, 8960}}) {
                    cases.add(linear(p, DType.BF16, s[0], s[1], 256));
                    cases.add(linear(p, DType.Q8_0, s[0], s[1], 256));
                    cases.add(backwardInput(p, DType.BF16, s[0], s[1], 256));
                }
            }
            int[][] gemvShapes = focused ? new int[0][] : all
                    ? new int[][] {{4864, 896}, {896, 4864}, {151936, 896}, {8960, 1536}, {1536, 8960}}
                    : new int[][] {{4864, 896}, {896, 4864}, {151936, 896}};
            for (int[] s : gemvShapes) {
                cases.add(linear(p, DType.BF16, s[0], s[1], 1));
                cases.add(linear(p, DType.Q8_0, s[0], s[1], 1));
            }
            for (int rows : all ? new int[] {2, 4, 8, 16} : focused ? new int[0] : new int[] {4, 8}) {
                cases.add(linear(p, DType.BF16, 4864, 896, rows));
                cases.add(linear(p, DType.Q8_0, 4864, 896, rows));
            }
            if (!focused) cases.add(linear(p, DType.F32, 4864, 896, 1));
            if (all) cases.add(linear(p, DType.F16, 4864, 896, 1));

            int[][] shapes = all ? new int[][] {{4864, 896}, {896, 4864}, {8960, 1536}, {1536, 8960}}
                    : focused ? new int[0][] : new int[][] {{4864, 896}, {896, 4864}};
            for (int[] s : shapes) {
                for (int rows : all ? new int[] {64, 256, 1024} : new int[] {256}) cases.add(linear(p, DType.BF16, s[0], s[1], rows));
                cases.add(linear(p, DType.F32, s[0], s[1], 256));
                cases.add(linear(p, DType.Q8_0, s[0], s[1], 256));
                if (all) cases.add(linear(p, DType.F16, s[0], s[1], 256));
            }
            for (int[] s : shapes) cases.add(backwardInput(p, DType.BF16, s[0], s[1], 256));
            for (int[] s : shapes) cases.add(backwardWeight(p, s[0], s[1], 256));

            double[] best = new double[cases.size()];
            java.util.Arrays.fill(best, Double.MAX_VALUE);
            int rounds = all ? 4 : 6;
            for (int round = 0; round <= rounds; round++) {
                for (int i = 0; i < cases.size(); i++) {
                    Case c = cases.get(i);
                    long end = System.nanoTime() + (round == 0 ? 200_000_000L : 100_000_000L);
                    int n = 0;
                    while (System.nanoTime() < end || n < 2) {
                        long t = System.nanoTime();
                        c.run().run();
                        if (round > 0) best[i] = Math.min(best[i], (System.nanoTime() - t) / 1e9);
                        n++;
                    }
                }
            }
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                double t = best[i];
                if (c.gemv()) {
                    System.out.printf("%-44s %7.1f GB/s    %7.1f GFLOP/s  %8.3f ms%n", c.label(), c.bytes() / t / 1e9, c.flops() / t / 1e9, t * 1e3);
                } else {
                    System.out.printf("%-44s %7.1f GFLOP/s  %8.3f ms%n", c.label(), c.flops() / t / 1e9, t * 1e3);
                }
            }
        }
    }

    /**
     * One token row (decode's GEMV) against rotating copies of a matrix, as many as fill half a GiB: weights read
     * from memory, not cache. Per case the best of three 1.5 s rounds, in G weights/s and GB/s of weight bytes.
     */
    static void stream(Parallel p) {
        long budget = 512L << 20;
        for (int[] s : new int[][] {{4864, 896}, {896, 4864}, {8960, 1536}}) {
            for (DType dt : new DType[] {DType.BF16, DType.Q8_0}) {
                int n = s[0], k = s[1];
                try (Arena arena = Arena.ofShared()) {
                    Matrix first = randomMatrix(dt, n, k);
                    long bytes = first.data().byteSize();
                    Matrix[] ws = new Matrix[(int) Math.max(8, budget / bytes)];
                    for (int i = 0; i < ws.length; i++) {
                        MemorySegment seg = arena.allocate(bytes, 64);
                        MemorySegment.copy(first.data(), 0, seg, 0, bytes);
                        ws[i] = new Matrix(dt, seg, n, k);
                    }
                    float[] x = randomFloats(k), y = new float[n];
                    double best = 0;
                    for (int round = 0; round <= 3; round++) {
                        long t0 = System.nanoTime();
                        int calls = 0;
                        while (System.nanoTime() - t0 < 1_500_000_000L) MatMul.linear(p, x, 1, ws[calls++ % ws.length], null, y);
                        double perS = (double) calls * n * k / ((System.nanoTime() - t0) / 1e9);
                        if (round > 0) best = Math.max(best, perS); // round 0 warms up
                    }
                    System.out.printf("stream %-4s rows=1 %5d -> %-6d x%-4d %7.2f G weights/s %7.1f GB/s%n", dt, k, n, ws.length,
                            best / 1e9, best * bytes / ((double) n * k) / 1e9);
                }
            }
        }
    }

    /**
     * The GEMM's register tile alone, one thread, on packed panels that fit in L1 (6 token rows and 4 W rows of
     * 1,024 floats), at byte offsets 0 (64-byte aligned, as the GEMM packs them) and 4, 16, 32 (every vector load
     * straddles two cache lines, as loads from a float[] generally do). Best of five 0.5 s rounds each, in GFLOP/s.
     */
    static void align() {
        int kp = 1024;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4L * 6 * kp + 64, 64), w = arena.allocate(4L * 4 * kp + 64, 64);
            for (long i = 0; i < a.byteSize() / 4; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) RND.nextGaussian());
            for (long i = 0; i < w.byteSize() / 4; i++) w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) RND.nextGaussian());
            float[] acc = new float[6 * 4 * 16];
            long[] offsets = {0, 4, 16, 32};
            double[] best = new double[offsets.length];
            for (int round = 0; round <= 5; round++) {
                for (int o = 0; o < offsets.length; o++) {
                    MemorySegment ao = a.asSlice(offsets[o], 4L * 6 * kp), wo = w.asSlice(offsets[o], 4L * 4 * kp);
                    long t0 = System.nanoTime(), calls = 0;
                    while (System.nanoTime() - t0 < 500_000_000L) {
                        DotKernels.tile(ao, wo, 0, kp, acc, 0);
                        calls++;
                    }
                    double gflops = calls * 2.0 * 24 * kp / ((System.nanoTime() - t0) / 1e9) / 1e9;
                    if (round > 0) best[o] = Math.max(best[o], gflops); // round 0 warms up
                }
            }
            for (int o = 0; o < offsets.length; o++) {
                System.out.printf("tile 6x4, k %d, panels at byte offset %2d: %7.1f GFLOP/s (1 thread)%n", kp, offsets[o], best[o]);
            }
        }
    }

    /** Decode GEMV (BF16 and Q8_0, 1536 -> 8960) and dot (1024) before and after a tail has run in this process. */
    static void tail(Parallel p) {
        Matrix wb = randomMatrix(DType.BF16, 8960, 1536), wq = randomMatrix(DType.Q8_0, 8960, 1536);
        Matrix tb = randomMatrix(DType.BF16, 64, 1000), tq = randomMatrix(DType.Q8_0, 64, 992);
        float[] x = randomFloats(1536), y = new float[8960], a = randomFloats(1024), b = randomFloats(1024);
        float[] xt = randomFloats(4 * 1000), t = new float[4 * 64];
        double[] before = tailTimes(p, wb, wq, x, y, a, b);
        for (int i = 0; i < 50_000; i++) {
            MatMul.linear(p, xt, 1, tb, null, t);
            MatMul.linear(p, xt, 4, tb, null, t);
            MatMul.linear(p, xt, 1, tq, null, t);
            VectorOps.dot(a, 0, b, 0, 1000);
            VectorOps.sumOfSquares(a, 0, 1000);
        }
        double[] after = tailTimes(p, wb, wq, x, y, a, b);
        String[] names = {"GEMV BF16 1536 -> 8960 (GB/s)", "GEMV Q8_0 1536 -> 8960 (GB/s)", "dot + sumOfSquares, 1024 (M/s)"};
        for (int i = 0; i < names.length; i++) {
            System.out.printf("%-34s before tails %7.1f   after tails %7.1f   after/before %.2f%n", names[i], before[i], after[i], after[i] / before[i]);
        }
    }

    private static double[] tailTimes(Parallel p, Matrix wb, Matrix wq, float[] x, float[] y, float[] a, float[] b) {
        double[] best = new double[3];
        float sink = 0;
        for (int round = 0; round < 4; round++) {
            for (int c = 0; c < 3; c++) {
                long t0 = System.nanoTime(), n = 0;
                while (System.nanoTime() - t0 < 500_000_000L) {
                    if (c == 0) MatMul.linear(p, x, 1, wb, null, y);
                    else if (c == 1) MatMul.linear(p, x, 1, wq, null, y);
                    else for (int i = 0; i < 1000; i++) sink += VectorOps.dot(a, 0, b, 0, 1024) + VectorOps.sumOfSquares(a, 0, 1024);
                    n++;
                }
                double s = (System.nanoTime() - t0) / 1e9 / n;
                double v = c == 0 ? wb.dtype().matrixBytes(8960, 1536) / s / 1e9 : c == 1 ? wq.dtype().matrixBytes(8960, 1536) / s / 1e9 : 1000 / s / 1e6;
                if (round > 0) best[c] = Math.max(best[c], v); // round 0 warms up
            }
        }
        if (sink == 42) System.out.println();
        return best;
    }

    static Matrix randomMatrix(DType dt, int rows, int cols) {
        if (!dt.elementWise()) return randomMatrix(DType.F32, rows, cols).converted(dt, ARENA);
        long n = (long) rows * cols;
        // Native memory, 2 bytes off alignment, like a tensor inside a mapped checkpoint.
        MemorySegment seg = ARENA.allocate(dt.byteSize(n) + 64, 64).asSlice(2, dt.byteSize(n));
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

    static Case linear(Parallel p, DType dt, int n, int k, int rows) {
        Matrix w = randomMatrix(dt, n, k);
        float[] x = randomFloats(rows * k), y = new float[rows * n];
        return new Case(String.format("linear %-4s rows=%-4d %5d -> %-6d", dt, rows, k, n),
                () -> MatMul.linear(p, x, rows, w, null, y), 2.0 * rows * n * k, (double) dt.matrixBytes(n, k), rows <= 16);
    }

    static Case backwardInput(Parallel p, DType dt, int n, int k, int rows) {
        Matrix w = randomMatrix(dt, n, k);
        float[] dy = randomFloats(rows * n), dx = new float[rows * k];
        return new Case(String.format("backwardInput %-4s rows=%-4d W %5d x %-5d", dt, rows, n, k),
                () -> MatMul.linearBackwardInput(p, dy, rows, w, dx, false), 2.0 * rows * n * k, 0, false);
    }

    static Case backwardWeight(Parallel p, int n, int k, int rows) {
        float[] dy = randomFloats(rows * n), x = randomFloats(rows * k), dw = new float[n * k];
        return new Case(String.format("backwardWeight f32 rows=%-4d dW %5d x %-5d", rows, n, k),
                () -> MatMul.linearBackwardWeight(p, dy, x, rows, n, k, dw), 2.0 * rows * n * k, 0, false);
    }
}
