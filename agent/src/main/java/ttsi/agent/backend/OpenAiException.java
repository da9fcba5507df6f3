package ttsi.agent.backend;

/**
 * A request to an OpenAI-compatible server failed: the message names the method and URL, the HTTP status (when a
 * response came back), the server's own error message (its {@code {"error": {"message", "type", "param", "code"}}}
 * object when present) and how many attempts were made. It never contains the API key.
 */
public final class OpenAiException extends RuntimeException {
    private final String url;
    private final int status;
    private final String serverMessage;
    private final String errorType;
    private final String errorCode;
    private final String errorParam;
    private final int attempts;

    OpenAiException(String message, String url, int status, String serverMessage, String errorType, String errorCode,
            int attempts, Throwable cause) {
        this(message, url, status, serverMessage, errorType, errorCode, null, attempts, cause);
    }

    OpenAiException(String message, String url, int status, String serverMessage, String errorType, String errorCode,
            String errorParam, int attempts, Throwable cause) {
        super(message, cause);
        this.errorParam = errorParam;
        this.url = url;
        this.status = status;
        this.serverMessage = serverMessage;
        this.errorType = errorType;
        this.errorCode = errorCode;
        this.attempts = attempts;
    }

    /** The endpoint that was called. */
    public String url() {
        return url;
    }

    /** The HTTP status of the last response, or -1 when none came back (connection failure, timeout). */
    public int status() {
        return status;
    }

    /** The server's error message (or the start of its body), or null. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The OpenAI error object's {@code type}, or null. */
    public String errorType() {
        return errorType;
    }

    /** The OpenAI error object's {@code code}, or null. */
    public String errorCode() {
        return errorCode;
    }

    /** The OpenAI error object's {@code param} (the request field it is about, e.g. {@code temperature}), or null. */
    public String errorParam() {
        return errorParam;
    }

    /** How many requests were sent before giving up. */
    public int attempts() {
        return attempts;
    }
}
