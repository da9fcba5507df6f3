package ttsi.bench.data;

import java.nio.file.Path;

/** Reads one file format into samples. {@code file} is the benchmark's main file; companions are found beside it. */
@FunctionalInterface
public interface DatasetLoader {
    Dataset load(String benchmark, Path file);
}
