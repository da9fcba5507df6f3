package ttsi.bench.data;

import ttsi.engine.format.SharedFolder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where benchmark data lives by default: the {@code shared/data} folder beside the checkout. */
public final class DataDirs {
    private DataDirs() {}

    /**
     * {@code $TTSI_SHARED/data} when that variable is set, else the first {@code shared/data} found walking up
     * from the working directory (next to a {@code shared/models} folder), else null.
     */
    public static Path defaultDataDir() {
        Path d = SharedFolder.find("data");
        return d == null ? null : d.toAbsolutePath();
    }

    /** The given folder, or the default; throws with a hint when neither exists. */
    public static Path resolve(Path given) {
        if (given != null) {
            if (!Files.isDirectory(given)) throw new DataFormatException("data folder " + given + " does not exist");
            return given;
        }
        Path d = defaultDataDir();
        if (d == null) {
            throw new DataFormatException("no data folder found: pass --data-dir DIR (the folder holding sealtool/, apibank/, bfcl/, ...) "
                    + "or set TTSI_SHARED to the shared folder");
        }
        return d;
    }
}
