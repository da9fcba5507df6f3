package ttsi.bench.report;

import java.nio.file.Path;

/** A file or directory the report could not (fully) use, and why. */
public record Problem(Path path, String reason) {
    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
