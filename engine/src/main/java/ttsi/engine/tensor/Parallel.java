package ttsi.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed-size pool for the kernels. Work is split into a fixed number of contiguous chunks, one share per
 * thread, so every output element has one owner and a fixed summation order: results do not depend on scheduling.
 *
 * <p>Decode issues hundreds of small parallel calls per token, so hand-off latency matters more than anything:
 * workers spin briefly on a job counter before parking, and the caller runs share 0 itself. One job runs at a
 * time; calls from inside a job (or from a worker) run inline.
 */
public final class Parallel implements AutoCloseable {

    private static volatile Parallel global;
    private static final int SPINS = 1 << 15;

    private final int threads;
    private final Thread[] workers;
    private final Object lock = new Object();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long generation;
    private volatile boolean closed;
    // The current job (published by the volatile write of generation).
    private int jobChunks, jobWorkers;
    private IntConsumer jobBody;
    private Thread owner;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            workers[i] = new Thread(() -> work(index), "ttsi-kernel-" + index);
            workers[i].setDaemon(true);
            workers[i].start();
        }
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
        synchronized (Parallel.class) {
            if (global != null && global.threads == threads) return;
            Parallel old = global;
            global = new Parallel(threads);
            if (old != null) old.close();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs body(chunk) for chunk in [0, chunks), chunks spread over the threads in contiguous shares; the caller's
     * thread takes share 0. Blocks until all are done; rethrows the first failure.
     */
    public void forEach(int chunks, IntConsumer body) {
        if (chunks <= 0) return;
        Thread me = Thread.currentThread();
        if (workers.length == 0 || chunks == 1 || owner == me || isWorker(me)) {
            for (int c = 0; c < chunks; c++) body.accept(c);
            return;
        }
        synchronized (lock) {
            if (closed) throw new IllegalStateException("the kernel pool is closed");
            owner = me;
            try {
                int n = Math.min(threads, chunks);
                jobChunks = chunks;
                jobWorkers = n;
                jobBody = body;
                failure.set(null);
                pending.set(n - 1);
                generation++; // publishes the job
                for (int i = 0; i < n - 1; i++) LockSupport.unpark(workers[i]);
                try {
                    runShare(0, n, chunks, body);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                for (int spin = 0; pending.get() != 0; spin++) {
                    if (spin < SPINS) Thread.onSpinWait();
                    else Thread.yield();
                }
                jobBody = null;
                Throwable t = failure.get();
                if (t instanceof RuntimeException re) throw re;
                if (t instanceof Error er) throw er;
                if (t != null) throw new RuntimeException(t);
            } finally {
                owner = null;
            }
        }
    }

    /** Splits [0, n) into `threads` contiguous ranges and runs body(from, to) for each in parallel. */
    public void forRange(int n, RangeBody body) {
        int parts = Math.max(1, Math.min(threads, n));
        forEach(parts, p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    private boolean isWorker(Thread t) {
        for (Thread w : workers) if (w == t) return true;
        return false;
    }

    private void work(int index) {
        long seen = 0;
        while (!closed) {
            long g = generation;
            if (g == seen) {
                for (int spin = 0; spin < SPINS && generation == seen && !closed; spin++) Thread.onSpinWait();
                // forEach unparks the workers after publishing a job; a permit given before park() makes it return at once.
                if (generation == seen && !closed) LockSupport.park(this);
                continue;
            }
            seen = g;
            int n = jobWorkers;
            if (index < n) {
                try {
                    runShare(index, n, jobChunks, jobBody);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                pending.decrementAndGet();
            }
        }
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
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
