package ttsi.engine;

import ttsi.engine.format.SharedFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the read-only {@code shared/} folder that sits beside the checkout (real tokenizers, chat templates,
 * configs, benchmark data). In CI it is always there; elsewhere a missing folder skips the test with a message.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared folder, or null when it cannot be found. */
    public static Path root() {
        return SharedFolder.find();
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
