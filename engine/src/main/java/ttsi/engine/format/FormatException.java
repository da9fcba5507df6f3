package ttsi.engine.format;

import java.nio.file.Path;

/** A file the user gave us is not what we expected. The message names the file and the problem. */
public class FormatException extends RuntimeException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
