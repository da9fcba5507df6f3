package ttsi.engine.format;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code shared/} folder of model files and benchmark data that sits beside a ttsi checkout:
 * {@code $TTSI_SHARED} when set, else the first {@code shared/} with a {@code models/} folder found walking up
 * from the working directory. The one place that looks for it (defaults for data and tokenizers, and tests).
 */
public final class SharedFolder {
    private SharedFolder() {}

    /** The shared folder, or null when there is none. */
    public static Path find() {
        String env = System.getenv("TTSI_SHARED");
        if (env != null && Files.isDirectory(Path.of(env))) return Path.of(env).toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isDirectory(candidate.resolve("models"))) return candidate;
        }
        return null;
    }

    /** shared/rel when it exists, else null. */
    public static Path find(String rel) {
        Path root = find();
        Path p = root == null ? null : root.resolve(rel);
        return p != null && Files.exists(p) ? p : null;
    }
}
