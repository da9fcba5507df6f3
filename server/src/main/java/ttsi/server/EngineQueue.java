package ttsi.server;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs engine work one job at a time, first come first served, on one thread: the decoder's kernels share one
 * thread pool, so jobs must not overlap. A request's stages (score, synthesize, train, answer) are separate jobs,
 * so requests interleave between stages. A job whose request is cancelled while waiting is dropped.
 */
final class EngineQueue implements AutoCloseable {
    private static final class Job<T> {
        final Callable<T> work;
        final Cancel cancel;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Job(Callable<T> work, Cancel cancel) {
            this.work = work;
            this.cancel = cancel;
        }

        void run() {
            if (result.isDone()) return;
            if (cancel.cancelled()) {
                result.completeExceptionally(new Cancel.Cancelled(cancel.reason()));
                return;
            }
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }
    }

    private final LinkedBlockingQueue<Job<?>> jobs = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final Metrics metrics;
    private volatile boolean closed;

    EngineQueue(Metrics metrics) {
        this.metrics = metrics;
        this.worker = Thread.ofPlatform().name("ttsi-engine").daemon(true).start(this::loop);
        metrics.gauge("ttsi_engine_jobs_waiting", jobs::size);
    }

    private void loop() {
        while (!closed) {
            try {
                jobs.take().run();
            } catch (InterruptedException e) {
                if (closed) return;
            }
        }
    }

    /** Runs work on the engine thread and waits for it; the time waiting and running go to the stage histograms. */
    <T> T call(Cancel cancel, String stage, Callable<T> work) {
        cancel.check();
        if (closed) throw new Cancel.Cancelled("shutdown");
        long queued = System.nanoTime();
        long[] started = {0};
        Job<T> job = new Job<>(() -> {
            started[0] = System.nanoTime();
            metrics.observe("ttsi_stage_duration_seconds", Metrics.labels("stage", "queue"), (started[0] - queued) / 1e9);
            try {
                return work.call();
            } finally {
                metrics.observe("ttsi_stage_duration_seconds", Metrics.labels("stage", stage), (System.nanoTime() - started[0]) / 1e9);
            }
        }, cancel);
        Runnable unhook = cancel.onCancel(() -> {
            if (jobs.remove(job)) job.result.completeExceptionally(new Cancel.Cancelled(cancel.reason()));
        });
        jobs.add(job);
        try {
            return job.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel("interrupted");
            throw new Cancel.Cancelled("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error er) throw er;
            throw new RuntimeException(c);
        } finally {
            unhook.run();
        }
    }

    int waiting() {
        return jobs.size();
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        Job<?> j;
        while ((j = jobs.poll()) != null) j.result.completeExceptionally(new Cancel.Cancelled("shutdown"));
    }
}
