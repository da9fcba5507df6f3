package ttsi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ttsi.bench.data.DataFormatException;
import ttsi.bench.data.Dataset;
import ttsi.bench.data.DatasetLoader;
import ttsi.bench.data.LoadIssue;

/**
 * One benchmark: its files under the data folder (the first holds the samples, read by {@code loader}; a
 * benchmark made of several files loads each and joins them), how it is scored, and where its files come from.
 */
public record Benchmark(String name, String description, List<String> files, DatasetLoader loader, Scoring scoring,
                        List<Source> sources) {
    /** How a benchmark is scored; each lists its metrics in {@code ttsi.bench.score.Evaluation}. */
    public enum Scoring {
        /** Exact match of the call list (str() normalisation), Hammer's F1 and Seal-Tools' P/R/F1. */
        CALLS,
        /** NexusRaven's rule: the call bound to the function's signature, defaults filled, typed equality; per sub-task. */
        NEXUSRAVEN,
        /** BFCL's AST checker; irrelevance categories expect no call. */
        BFCL
    }

    /** A file to download: its URL and where it goes under the data folder; optional ones may be missing upstream. */
    public record Source(String url, String path, boolean optional) {
        public Source(String url, String path) {
            this(url, path, false);
        }
    }

    public Benchmark {
        files = List.copyOf(files);
        sources = List.copyOf(sources);
    }

    public List<Path> paths(Path dataDir) {
        return files.stream().map(dataDir::resolve).toList();
    }

    /** True when every file is present. */
    public boolean available(Path dataDir) {
        return paths(dataDir).stream().allMatch(Files::exists);
    }

    public Dataset load(Path dataDir) {
        List<Path> ps = paths(dataDir);
        for (Path p : ps) {
            if (!Files.exists(p)) {
                throw new DataFormatException("benchmark " + name + ": " + p + " not found (pass --data-dir DIR, the folder holding "
                        + files.getFirst().split("/")[0] + "/, or run 'ttsi data fetch " + name + "' on a machine with internet)");
            }
        }
        if (ps.size() == 1) return loader.load(name, ps.getFirst());
        List<ttsi.bench.data.Sample> samples = new ArrayList<>();
        List<LoadIssue> issues = new ArrayList<>();
        for (Path p : ps) {
            Dataset d = loader.load(name, p);
            samples.addAll(d.samples());
            issues.addAll(d.issues());
        }
        return new Dataset(name, ps.getFirst(), samples, issues);
    }
}
