package ttsi.bench.fetch;

/** A download that cannot be done; the message says which URLs are needed and how to work offline. */
public class FetchException extends RuntimeException {
    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
