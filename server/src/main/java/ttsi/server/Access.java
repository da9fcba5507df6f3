package ttsi.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the server: with an API key, every endpoint except /health needs {@code Authorization: Bearer KEY}
 * (the header OpenAI clients send); /metrics too unless {@code metricsPublic}. Without a key, everything is open, as
 * on loopback by default.
 */
public record Access(String apiKey, boolean metricsPublic) {
    public static final Access OPEN = new Access(null, true);

    public Access {
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("the API key is empty");
        if (apiKey != null && !apiKey.strip().equals(apiKey)) throw new IllegalArgumentException("the API key has leading or trailing whitespace");
    }

    public boolean keyed() {
        return apiKey != null;
    }

    /** Whether a request to this endpoint with this Authorization header may go on. */
    public boolean allows(String endpoint, String authorization) {
        if (!keyed() || endpoint.equals("health") || (endpoint.equals("metrics") && metricsPublic)) return true;
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        // Constant-time comparison, so the key cannot be guessed byte by byte from response times.
        return MessageDigest.isEqual(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8));
    }
}
