package ttsi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the read-only {@code shared/} folder that sits beside the checkout (benchmark data). Elsewhere a
 * missing folder skips the test with a message. {@code TTSI_SHARED} overrides the search.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared folder, or null when it cannot be found. */
    public static Path root() {
        String env = System.getenv("TTSI_SHARED");
        if (env != null && Files.isDirectory(Path.of(env))) return Path.of(env).toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isDirectory(candidate.resolve("models"))) return candidate;
        }
        return null;
    }

    /** shared/rel, or skips the calling test when it is not there. */
    public static Path require(String rel) {
        Path root = root();
        Assumptions.assumeTrue(root != null, "shared/ folder not found beside the checkout (set TTSI_SHARED); skipping");
        Path p = root.resolve(rel);
        Assumptions.assumeTrue(Files.exists(p), p + " not found; skipping");
        return p;
    }
}
