package ttsi.bench.data;

/** A data file that cannot be read at all (missing, not JSON, wrong top-level shape). The message says which and why. */
public class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
