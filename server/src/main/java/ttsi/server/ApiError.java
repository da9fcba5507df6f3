package ttsi.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ttsi.agent.json.Json;

/** An error answered in OpenAI's shape: {"error": {"message", "type", "param", "code"}} with an HTTP status. */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type, param, code;
    private final long retryAfterSeconds;

    public ApiError(int status, String type, String code, String param, String message) {
        this(status, type, code, param, message, -1);
    }

    private ApiError(int status, String type, String code, String param, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    public static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", code, param, message);
    }

    public static ApiError badJson(String detail) {
        return new ApiError(400, "invalid_request_error", "invalid_json",
                null, "We could not parse the JSON body of your request (" + detail + "). Send a JSON object with Content-Type: application/json.");
    }

    public static ApiError unknownModel(String model, String served) {
        return new ApiError(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist; this server serves '" + served + "' (see GET /v1/models).");
    }

    public static ApiError notFound(String method, String path) {
        return new ApiError(404, "invalid_request_error", "not_found", null, "Unknown endpoint: " + method + " " + path
                + ". Endpoints: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, GET /metrics.");
    }

    public static ApiError methodNotAllowed(String method, String path, String allowed) {
        return new ApiError(405, "invalid_request_error", "method_not_allowed", null, method + " is not allowed on " + path + "; use " + allowed + ".");
    }

    public static ApiError busy(int queue, long retryAfter) {
        return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null,
                "The server is busy: " + queue + " requests are already queued. Retry after " + retryAfter + " s.", retryAfter);
    }

    public static ApiError shuttingDown() {
        return new ApiError(503, "server_error", "shutting_down", null, "The server is shutting down and accepts no new requests.", 5);
    }

    public static ApiError timeout(double seconds) {
        return new ApiError(504, "server_error", "timeout", null, "The request did not finish within the server's limit of " + seconds + " s.");
    }

    /** OpenAI's answer to a missing or wrong key (the key itself is never echoed). */
    public static ApiError unauthorized(boolean sent) {
        return new ApiError(401, "invalid_request_error", "invalid_api_key", null, sent
                ? "Incorrect API key provided. Send the server's key as 'Authorization: Bearer KEY'."
                : "You didn't provide an API key. Send the server's key as 'Authorization: Bearer KEY'.");
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "server_error", "internal_error", null, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for a Retry-After header, or -1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        ObjectNode e = o.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        if (param == null) e.putNull("param");
        else e.put("param", param);
        if (code == null) e.putNull("code");
        else e.put("code", code);
        return o;
    }
}
