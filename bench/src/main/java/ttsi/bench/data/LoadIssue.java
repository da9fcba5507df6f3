package ttsi.bench.data;

import java.nio.file.Path;

/**
 * Something wrong with one record: where (file and line or index) and why. {@code skipped} says whether the
 * record was left out of the dataset (it could not be read) or kept after a repair.
 */
public record LoadIssue(Path file, String where, String reason, boolean skipped) {
    @Override
    public String toString() {
        return file.getFileName() + " " + where + ": " + reason + (skipped ? " (record skipped)" : " (kept)");
    }
}
