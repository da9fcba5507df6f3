package ttsi.server;

import java.time.Duration;

/**
 * Limits per connection, enforced before a request reaches the API: a request's body must arrive within
 * {@code bodyTimeout} of its headers (else 408 and the connection is closed), a connection with no request in progress
 * is closed after {@code idleTimeout}, at most {@code maxConnections} are open at once (more get 503), and request bodies
 * still being received hold at most {@code maxBufferedBytes} together (a body that would pass it gets 503). So slow or
 * idle clients hold a bounded amount of memory for a bounded time.
 */
public record ConnectionLimits(Duration bodyTimeout, Duration idleTimeout, int maxConnections, long maxBufferedBytes) {
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(30), Duration.ofSeconds(120), 256, 256L << 20);

    public ConnectionLimits(Duration bodyTimeout, Duration idleTimeout, int maxConnections) {
        this(bodyTimeout, idleTimeout, maxConnections, DEFAULTS.maxBufferedBytes());
    }

    public ConnectionLimits {
        if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) throw new IllegalArgumentException("the body timeout must be > 0");
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("the idle timeout must be > 0");
        if (maxConnections < 1) throw new IllegalArgumentException("max connections must be >= 1, got " + maxConnections);
        if (maxBufferedBytes < 1) throw new IllegalArgumentException("max buffered bytes must be >= 1, got " + maxBufferedBytes);
    }
}
