package ttsi.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the server and what a client may ask of it. With an API key, every endpoint except /health needs
 * {@code Authorization: Bearer KEY} (the header OpenAI clients send); /metrics too unless {@code metricsPublic}.
 * Without a key, everything is open, as on loopback by default. {@code clientTtsi} is the costliest TT-SI mode a
 * client's hint (X-TTSI header or "ttsi" field) can obtain; null: no more than the operator's own {@code --ttsi}, so
 * that {@code --ttsi off} means off (an adaptation costs ~100x a plain answer, and with a teacher, the operator's
 * teacher calls). {@code maxAdaptations} caps adaptations in progress at once (0: no cap beyond the queue); a request
 * over it is answered by the base model.
 */
public record Access(String apiKey, boolean metricsPublic, TtsiMode clientTtsi, int maxAdaptations) {
    public static final Access OPEN = new Access(null, true, null, 0);

    public Access(String apiKey, boolean metricsPublic) {
        this(apiKey, metricsPublic, null, 0);
    }

    public Access(String apiKey, boolean metricsPublic, TtsiMode clientTtsi) {
        this(apiKey, metricsPublic, clientTtsi, 0);
    }

    public Access {
        if (maxAdaptations < 0) throw new IllegalArgumentException("max adaptations must be >= 0 (0: no limit), got " + maxAdaptations);
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

    /** The mode a request gets: the client's, lowered to what the operator allows (OFF < AUTO < FORCE). */
    public TtsiMode grant(TtsiMode requested, TtsiMode operatorMode) {
        TtsiMode max = clientTtsi != null ? clientTtsi : operatorMode;
        return requested.ordinal() <= max.ordinal() ? requested : max;
    }
}
