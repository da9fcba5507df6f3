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
 * @param uncertainty H's settings (τ: uncertain when the top-2 margin is below it), the method's own record
 * @param synthesis G's settings (K pairs, attempts, the generation's tokens and temperature), the method's own record
 * @param access the API key, if any, whether /metrics needs it, and what TT-SI clients may ask for
 * @param connections body and idle timeouts and the cap on open connections
 */
public record ServeOptions(String host, int port, String servedName, int queue, long retryAfterSeconds, Duration requestTimeout,
                           Duration shutdownGrace, int maxBodyBytes, int defaultMaxTokens, TtsiMode ttsi,
                           UncertaintyEstimator.Options uncertainty, DataSynthesizer.Options synthesis, Access access,
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
        if (uncertainty == null) uncertainty = UncertaintyEstimator.Options.defaults();
        if (synthesis == null) synthesis = DataSynthesizer.Options.defaults();
        if (!(uncertainty.tau() >= 0 && uncertainty.tau() <= 1)) throw new IllegalArgumentException("tau must be in [0, 1], got " + uncertainty.tau());
        if (synthesis.k() < 1 || synthesis.maxAttempts() < 1 || synthesis.generation().maxTokens() < 1) {
            throw new IllegalArgumentException("k, attempts and synthesis tokens must be >= 1");
        }
    }

    /** H's threshold. */
    public double tau() {
        return uncertainty.tau();
    }

    /**
     * Loopback, the given port and name, and the defaults of {@code ttsi serve}; τ and synthesis as the method's own
     * defaults ({@link UncertaintyEstimator.Options#defaults()}, {@link DataSynthesizer.Options#defaults()}).
     */
    public static ServeOptions defaults(int port, String servedName) {
        return new ServeOptions("127.0.0.1", port, servedName, 16, 1, Duration.ofMinutes(10), Duration.ofSeconds(30), 8 << 20, 1024,
                TtsiMode.AUTO, UncertaintyEstimator.Options.defaults(), DataSynthesizer.Options.defaults(), Access.OPEN, ConnectionLimits.DEFAULTS);
    }

    public ServeOptions withQueue(int q) {
        return new ServeOptions(host, port, servedName, q, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, uncertainty, synthesis, access, connections);
    }

    public ServeOptions withTimeouts(Duration request, Duration grace) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, request, grace, maxBodyBytes, defaultMaxTokens,
                ttsi, uncertainty, synthesis, access, connections);
    }

    public ServeOptions withTtsi(TtsiMode mode, double tau) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                mode, uncertainty.withTau(tau), synthesis, access, connections);
    }

    /** G: k pairs in at most {@code attempts} generations of up to maxTokens, sampled at temperature (the rest as {@link #synthesis}'s). */
    public ServeOptions withSynthesis(int k, int attempts, int maxTokens, double temperature) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, uncertainty, new DataSynthesizer.Options(k, attempts, synthesis.generation().withMaxTokens(maxTokens).withTemperature(temperature),
                synthesis.context()), access, connections);
    }

    public ServeOptions withDefaultMaxTokens(int n) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, n,
                ttsi, uncertainty, synthesis, access, connections);
    }

    public ServeOptions withAccess(Access a) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, uncertainty, synthesis, a, connections);
    }

    public ServeOptions withConnections(ConnectionLimits c) {
        return new ServeOptions(host, port, servedName, queue, retryAfterSeconds, requestTimeout, shutdownGrace, maxBodyBytes, defaultMaxTokens,
                ttsi, uncertainty, synthesis, access, c);
    }
}
