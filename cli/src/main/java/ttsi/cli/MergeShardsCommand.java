package ttsi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ttsi.bench.run.RunDirectory;
import ttsi.bench.run.Runner;

@Command(name = "merge-shards", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Join the N shard run directories of one run ('ttsi run --shard I/N', I = 0..N-1) into one run directory.",
        "The result is what 'ttsi run' in a single process writes: run.json without the shard, results-seed-S.jsonl in sample",
        "order, metrics-seed-S.json and summary.json; 'ttsi report' and 'ttsi eval' read it as any run. Refuses shards of",
        "different runs (any setting, model, adapter or data file), a missing or repeated shard, and an unfinished shard."})
final class MergeShardsCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SHARD_DIR", description = "the shards' run directories (--out of each 'ttsi run --shard')") List<Path> shards;
    @Option(names = "--out", required = true, description = "the merged run directory (new)") Path out;

    @Override
    public Integer call() throws Exception {
        Runner.Summary s = RunDirectory.mergeShards(shards, out);
        int n = s.accuracy().size();
        System.out.printf("merged %d shards into %s: accuracy %.2f%% ± %s over %d %s%n", shards.size(), out, 100 * s.mean(),
                n < 2 ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", 100 * s.std()), n, n == 1 ? "seed" : "seeds");
        System.out.println("scoring: " + s.scoring());
        return 0;
    }
}
