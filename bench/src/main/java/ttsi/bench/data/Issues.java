package ttsi.bench.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects the issues of one load. A record that fails with IllegalArgumentException is skipped and reported. */
final class Issues {
    final Path file;
    final List<LoadIssue> list = new ArrayList<>();

    Issues(Path file) {
        this.file = file;
    }

    void skip(String where, String reason) {
        list.add(new LoadIssue(file, where, reason, true));
    }

    void kept(String where, String reason) {
        list.add(new LoadIssue(file, where, reason, false));
    }

    void add(LoadIssue i) {
        list.add(i);
    }

    static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
