package ttsi.server;

import java.time.Duration;

/**
 * Limits per connection, enforced before a request reaches the API: a request's body must arrive within
 * {@code bodyTimeout} of its headers (else 408 and the connection is closed), a connection with no request in progress
 * is closed after {@code idleTimeout}, and at most {@code maxConnections} are open at once (more get 503). Together with
 * the body size limit they bound what slow or idle clients can hold: connections x body size, for a bounded time.
 */
public record ConnectionLimits(Duration bodyTimeout, Duration idleTimeout, int maxConnections) {
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(30), Duration.ofSeconds(120), 256);

    public ConnectionLimits {
        if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) throw new IllegalArgumentException("the body timeout must be > 0");
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("the idle timeout must be > 0");
        if (maxConnections < 1) throw new IllegalArgumentException("max connections must be >= 1, got " + maxConnections);
    }
}
