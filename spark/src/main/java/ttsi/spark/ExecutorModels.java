package ttsi.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.TaskContext;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.Runner;
import ttsi.cli.RunCommand;
import ttsi.engine.tensor.Parallel;

/**
 * The models of an executor JVM: loaded on its first task and kept for the rest of the job, one per task that runs at
 * the same time (a model adapts and resets per sample, so two tasks never share one). With {@code spark.task.cpus}
 * equal to {@code spark.executor.cores} (what docs/SCALE.md recommends) an executor runs one task at a time: one model,
 * and the engine's kernels on all the executor's cores.
 */
final class ExecutorModels {
    private ExecutorModels() {}

    private static final Map<List<String>, ConcurrentLinkedQueue<Runner>> IDLE = new ConcurrentHashMap<>();
    private static boolean threadsSet;

    /** A runner for these run options, idle or newly loaded; give it back with {@link Lease#close()}. */
    static Lease borrow(String[] runArgs, Path out) throws IOException {
        List<String> key = List.of(runArgs);
        ConcurrentLinkedQueue<Runner> idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
        Runner r = idle.poll();
        if (r == null) r = load(runArgs, out);
        return new Lease(r, idle);
    }

    private static Runner load(String[] runArgs, Path out) throws IOException {
        RunCommand options = RunCommand.parse(runArgs);
        setThreadsOnce(options.threads());
        RunConfig cfg = options.config();
        RunCommand.Models models = options.open(cfg);
        return new Runner(cfg, out, models.student(), models.teacher());
    }

    /**
     * The kernel threads of this JVM, set once (replacing the pool under a running task would stop it): --threads if
     * given, else the cores Spark gives a task ({@code spark.task.cpus}), else all cores.
     */
    private static synchronized void setThreadsOnce(Integer threads) {
        if (threadsSet) return;
        TaskContext tc = TaskContext.get();
        int n = threads != null ? threads : tc != null ? tc.cpus() : Runtime.getRuntime().availableProcessors();
        Parallel.setGlobalThreads(Math.max(1, n));
        threadsSet = true;
    }

    /** A borrowed runner; closing gives it back. */
    record Lease(Runner runner, ConcurrentLinkedQueue<Runner> idle) implements AutoCloseable {
        @Override
        public void close() {
            idle.add(runner);
        }
    }
}
