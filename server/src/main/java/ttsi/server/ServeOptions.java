package ttsi.server;

import java.time.Duration;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.UncertaintyEstimator;

/**
 * Server settings.
 *
 * @param host address to bind (default loopback)
 * @param port port (0: any free one)
 * @param servedName the model name clients send and /v1/models lists
 * @param queue requests admitted at once (running or waiting); more are answered 429
 * @param retryAfterSeconds the Retry-After of a 429
 * @param requestTimeout per request; then the work is cancelled and the client gets 504
 * @param shutdownGrace how long a graceful shutdown lets admitted requests finish before cancelling them
 * @param maxBodyBytes the largest request body
 * @param defaultMaxTokens completion tokens when a request gives no max_tokens (capped by the context)
 * @param ttsi the TT-SI mode of requests that do not choose one
 * @param tau uncertain when the top-2 margin is below tau
 * @param k synthetic pairs per adaptation
 * @param maxAttempts synthesis attempts per adaptation
 * @param synthesisMaxTokens tokens per synthesis generation
 * @param synthesisTemperature temperature of synthesis
 * @param access the API key, if any, whether /metrics needs it, and what TT-SI clients may ask for
 * @param connections body and idle timeouts and the cap on open connections
 */
public record ServeOptions(String host, int port, String servedName, int queue, long retryAfterSeconds, Duration requestTimeout,
                           Duration shutdownGrace, int maxBodyBytes, int defaultMaxTokens, TtsiMode ttsi, double tau, int k,
                           int maxAttempts, int synthesisMaxTokens, double synthesisTemperature, Access access,
                           ConnectionLimits connections) {
    public ServeOptions {
        if (host == null || host.isBlank()) host = "127.0.0.1";
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        if (servedName == null || servedName.isBlank()) throw new IllegalArgumentException("a served model name is needed");
        if (queue < 1) throw new IllegalArgumentException("queue must be >= 1, got " + queue);
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("request timeout must be positive");
        if (shutdownGrace == null || shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdown grace must be >= 0");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("max body must be >= 1024 bytes");
        if (defaultMaxTokens < 1) throw new IllegalArgumentException("default max tokens must be >= 1");
        if (ttsi == null) ttsi = TtsiMode.AUTO;
        if (access == null) access = Access.OPEN;
        if (connections == null) connections = ConnectionLimits.DEFAULTS;
        if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("tau must be in [0, 1], got " + tau);
        if (k < 1 || maxAttempts < 1 || synthesisMaxTokens < 1) throw new IllegalArgumentException("k, attempts and synthesis tokens must be >= 1");
    }

    /**
     * Loopback, the given port and name, and the defaults of {@code ttsi serve}; τ and synthesis as the method's own
     * defaults ({@link UncertaintyEstimator.Options#defaults()}, {@link DataSynthesizer.Options#defaults()}).
     */
    public static ServeOptions defaults(int port, String servedName) {
        DataSynthesizer.Options syn = DataSynthesizer.Options.defaults();
        return new ServeOptions("127.0.0.1", port, servedName, 16, 1, Duration.ofMinutes(10), Duration.ofSeconds(30), 8 << 20, 1024,
                TtsiMode.AUTO, UncertaintyEstimator.Options.defaults().tau(), syn.k(), syn.maxAttempts(), syn.generation().maxTokens(),
                syn.generation().temperature(), Access.OPEN, ConnectionLimits.DEFAULTS);
    }

    public ServeOptions withQueue(int q) {
        return new ServeOptions(host, port, servedName, q, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, tau, k, maxAttempts, synthesisMaxTokens, synthesisTemperature, access, connections);
    }

    public ServeOptions withTimeouts(Duration request, Duration grace) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, request, grace, maxBodyBytes, defaultMaxTokens,
                ttsi, tau, k, maxAttempts, synthesisMaxTokens, synthesisTemperature, access, connections);
    }

    public ServeOptions withTtsi(TtsiMode mode, double tau) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                mode, tau, k, maxAttempts, synthesisMaxTokens, synthesisTemperature, access, connections);
    }

    public ServeOptions withSynthesis(int k, int attempts, int maxTokens, double temperature) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, tau, k, attempts, maxTokens, temperature, access, connections);
    }

    public ServeOptions withDefaultMaxTokens(int n) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, n,
                ttsi, tau, k, maxAttempts, synthesisMaxTokens, synthesisTemperature, access, connections);
    }

    public ServeOptions withAccess(Access a) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, tau, k, maxAttempts, synthesisMaxTokens, synthesisTemperature, a, connections);
    }

    public ServeOptions withConnections(ConnectionLimits c) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, tau, k, maxAttempts, synthesisMaxTokens, synthesisTemperature, access, c);
    }
}
