package ttsi.engine.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed-size pool for the kernels. Work is split into a fixed number of contiguous chunks, one per thread,
 * so every output element has one owner and a fixed summation order: results do not depend on scheduling.
 */
public final class Parallel implements AutoCloseable {

    private static volatile Parallel global;

    private final int threads;
    private final ExecutorService pool;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "ttsi-kernel-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The process-wide pool; sized by -Dttsi.threads or the number of available processors. */
    public static Parallel global() {
        Parallel p = global;
        if (p == null) {
            synchronized (Parallel.class) {
                p = global;
                if (p == null) {
                    int n = Integer.getInteger("ttsi.threads", Runtime.getRuntime().availableProcessors());
                    global = p = new Parallel(n);
                }
            }
        }
        return p;
    }

    /** Replaces the process-wide pool (e.g. from a --threads option). */
    public static synchronized void setGlobalThreads(int threads) {
        if (global != null && global.threads == threads) return;
        Parallel old = global;
        global = new Parallel(threads);
        if (old != null) old.close();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs body(chunk) for chunk in [0, chunks), chunks spread over the threads; the caller's thread takes part.
     * Blocks until all are done; rethrows the first failure.
     */
    public void forEach(int chunks, IntConsumer body) {
        if (chunks <= 0) return;
        if (pool == null || chunks == 1) {
            for (int c = 0; c < chunks; c++) body.accept(c);
            return;
        }
        int workers = Math.min(threads, chunks);
        Future<?>[] futures = new Future<?>[workers - 1];
        for (int w = 1; w < workers; w++) {
            int worker = w;
            futures[w - 1] = pool.submit(() -> runShare(worker, workers, chunks, body));
        }
        runShare(0, workers, chunks, body);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error er) throw er;
                throw new RuntimeException(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeException(e);
            }
        }
    }

    /** Splits [0, n) into `threads` contiguous ranges and runs body(from, to) for each in parallel. */
    public void forRange(int n, RangeBody body) {
        int parts = Math.max(1, Math.min(threads, n));
        forEach(parts, p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    private static void runShare(int worker, int workers, int chunks, IntConsumer body) {
        int from = (int) ((long) chunks * worker / workers), to = (int) ((long) chunks * (worker + 1) / workers);
        for (int c = from; c < to; c++) body.accept(c);
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
