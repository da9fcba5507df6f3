package ttsi.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import ttsi.agent.json.Json;
import ttsi.agent.method.Variant;
import ttsi.bench.data.Sample;
import ttsi.bench.run.ResultsFile;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.RunDirLock;
import ttsi.bench.run.RunDirectory;
import ttsi.bench.run.Runner;
import ttsi.cli.RunCommand;

/**
 * {@code ttsi run} as a Spark application:
 * <pre>spark-submit --class ttsi.spark.SparkRun ttsi-spark.jar run --model M --benchmark B --out RUN_DIR ...</pre>
 * takes exactly the options of {@code ttsi run}, spreads samples x seeds over the executors (one Spark task per
 * sample and seed), and runs the same Algorithm 1 code for each ({@link Runner#sample}), with the model loaded once
 * per concurrent task slot of an executor JVM ({@link ExecutorModels}). Every finished sample is written at once to
 * {@code RUN_DIR/parts/seed-S/INDEX.json} (whole, then moved into place); at the end the driver writes the standard
 * run directory (results-seed-S.jsonl in sample order, metrics, summary), which {@code ttsi report} and
 * {@code ttsi eval} read as any run. A rerun skips every sample the directory already holds, so a killed job loses at
 * most the samples in flight; a task Spark retries writes the same file again, so nothing is duplicated.
 * <p>RUN_DIR, the model folder and the data folder must be paths every executor can read (and RUN_DIR write): a
 * shared file system (NFS, a Kubernetes volume) or the same files copied to each node.
 */
public final class SparkRun {
    private SparkRun() {}

    public static void main(String[] args) throws Exception {
        SparkConf conf = new SparkConf().setAppName("ttsi run");
        int code = run(conf, args);
        if (code != 0) System.exit(code);
    }

    /** Runs the job with this Spark configuration; the exit status (0, or 1 after a one-line error on stderr). */
    public static int run(SparkConf conf, String... args) {
        try {
            Runner.Summary s = runOrThrow(conf, args);
            int n = s.accuracy().size();
            System.out.printf(Locale.ROOT, "accuracy %.2f%% ± %s over %d %s%n", 100 * s.mean(),
                    n < 2 ? "n/a" : String.format(Locale.ROOT, "%.2f", 100 * s.std()), n, n == 1 ? "seed" : "seeds");
            System.out.println("scoring: " + s.scoring());
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | picocli.CommandLine.ParameterException e) {
            System.err.println("ttsi-spark: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("ttsi-spark: " + e);
            return 1;
        } catch (Exception e) {
            // Scala declares no checked exceptions, so SparkException (a task failed more often than spark.task.maxFailures
            // allows) arrives unannounced: say why, in one line; the finished samples stay.
            if (!(e instanceof org.apache.spark.SparkException)) throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            System.err.println("ttsi-spark: the job failed: " + root + " (finished samples are kept in the run directory;"
                    + " run the same command again to continue; the executor logs have the details)");
            return 1;
        }
    }

    static Runner.Summary runOrThrow(SparkConf conf, String... args) throws IOException {
        if (args.length == 0 || !args[0].equals("run")) {
            throw new IllegalArgumentException("usage: spark-submit --class ttsi.spark.SparkRun ttsi-spark.jar run OPTIONS (the options of 'ttsi run')");
        }
        String[] runArgs = Arrays.copyOfRange(args, 1, args.length);
        RunCommand options = RunCommand.parse(runArgs);
        RunConfig cfg = options.config();
        if (cfg.shard() != null) throw new IllegalArgumentException("--shard is for array jobs; Spark spreads the samples over its executors itself");
        Path out = options.out();
        List<Sample> samples = Runner.samples(cfg);
        Files.createDirectories(out);
        try (RunDirLock lock = RunDirLock.acquire(out)) {
            RunDirectory.checkOrWriteRunJson(cfg, out, cfg.model().toString());
            ExecutorSizing sizing = ExecutorSizing.of(cfg.model());
            System.err.println("ttsi-spark: " + sizing.describe());

            // What the directory holds already: rows of the results files and finished parts of an earlier job.
            List<Item> pending = new ArrayList<>();
            for (long seed : cfg.seeds()) {
                Set<Integer> done = new HashSet<>();
                try (ResultsFile rf = new ResultsFile(RunDirectory.resultsFile(out, seed))) {
                    for (ObjectNode row : rf.readAndRepair()) done.add(row.get("index").asInt());
                }
                done.addAll(Parts.indices(out, seed));
                for (int i = 0; i < samples.size(); i++) if (!done.contains(i)) pending.add(new Item(seed, i));
            }
            System.err.printf("ttsi-spark: %d samples x %d seeds, %d to run%n", samples.size(), cfg.seeds().size(), pending.size());
            if (!pending.isEmpty()) {
                try (JavaSparkContext sc = new JavaSparkContext(conf)) {
                    String outText = out.toAbsolutePath().toString();
                    // RANDOM adapts a random draw as large as H's uncertain set: H over every sample, once per seed, in a
                    // first stage, so that the executors read the draw instead of each making it again.
                    if (Variant.of(cfg.method()) == Variant.RANDOM) {
                        List<Long> undrawn = cfg.seeds().stream().filter(seed -> !Files.exists(Runner.randomDrawFile(out, seed))).toList();
                        if (!undrawn.isEmpty()) sc.parallelize(undrawn, undrawn.size()).foreach(seed -> SampleTask.prepare(runArgs, outText, seed));
                    }
                    // One task per sample and seed: samples take seconds to minutes, so Spark's per-task cost is nothing,
                    // the load spreads evenly, and a lost executor costs only its samples in flight.
                    sc.parallelize(pending, pending.size()).foreach(item -> SampleTask.run(runArgs, outText, item));
                }
            }
            for (long seed : cfg.seeds()) collect(out, seed, samples.size());
            return RunDirectory.finish(cfg, out, samples);
        }
    }

    /** One sample of one seed: the unit of work and of retry. */
    public record Item(long seed, int index) implements Serializable {}

    /** The seed's results file from its earlier rows and the parts; checks that every sample is there, then drops the parts. */
    static void collect(Path out, long seed, int samples) throws IOException {
        Map<Integer, ObjectNode> rows = new LinkedHashMap<>();
        try (ResultsFile rf = new ResultsFile(RunDirectory.resultsFile(out, seed))) {
            for (ObjectNode row : rf.readAndRepair()) rows.put(row.get("index").asInt(), row);
        }
        for (int i : Parts.indices(out, seed)) rows.putIfAbsent(i, Parts.read(out, seed, i));
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < samples; i++) if (!rows.containsKey(i)) missing.add(i);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("seed " + seed + ": " + missing.size() + " samples have no result (e.g. index " + missing.getFirst()
                    + "); run the same command again to finish them");
        }
        RunDirectory.writeResults(out, seed, new ArrayList<>(rows.values()));
        Parts.delete(out, seed);
    }

    /** The per-sample files executors write: RUN_DIR/parts/seed-S/INDEX.json. */
    static final class Parts {
        private Parts() {}

        static Path dir(Path out, long seed) {
            return out.resolve("parts").resolve("seed-" + seed);
        }

        static Path file(Path out, long seed, int index) {
            return dir(out, seed).resolve(String.format(Locale.ROOT, "%06d.json", index));
        }

        static void write(Path out, long seed, int index, ObjectNode row) throws IOException {
            RunDirectory.writeAtomically(file(out, seed, index), Json.compact(row));
        }

        static ObjectNode read(Path out, long seed, int index) throws IOException {
            return (ObjectNode) Json.MAPPER.readTree(file(out, seed, index).toFile());
        }

        /** Indices of the finished parts (temporary files of a write in progress are not parts). */
        static List<Integer> indices(Path out, long seed) throws IOException {
            Path d = dir(out, seed);
            if (!Files.isDirectory(d)) return List.of();
            try (Stream<Path> files = Files.list(d)) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+\\.json"))
                        .map(n -> Integer.parseInt(n.substring(0, n.length() - 5))).sorted().toList();
            }
        }

        static void delete(Path out, long seed) throws IOException {
            Path d = dir(out, seed);
            if (!Files.isDirectory(d)) return;
            try (Stream<Path> files = Files.list(d)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(d);
            try (Stream<Path> left = Files.list(d.getParent())) {
                if (left.findAny().isEmpty()) Files.delete(d.getParent());
            }
        }
    }

    /** What an executor does for one item. */
    static final class SampleTask {
        private SampleTask() {}

        static void prepare(String[] runArgs, String out, long seed) throws IOException {
            try (ExecutorModels.Lease lease = ExecutorModels.borrow(runArgs, Path.of(out))) {
                lease.runner().prepareSeed(seed);
            }
        }

        static void run(String[] runArgs, String out, Item item) throws IOException {
            Path dir = Path.of(out);
            if (Files.isRegularFile(Parts.file(dir, item.seed(), item.index()))) return; // a retried or speculative copy
            ExecutorModels.Lease lease = ExecutorModels.borrow(runArgs, dir);
            try {
                ObjectNode row = lease.runner().sample(item.index(), item.seed());
                Parts.write(dir, item.seed(), item.index(), row);
            } finally {
                lease.close();
            }
        }
    }
}
