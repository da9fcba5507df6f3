package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;
import ttsi.agent.model.LanguageModel;

/**
 * The endpoints, independent of the HTTP library: routing, admission (a bounded number of requests in progress;
 * beyond it 429 with Retry-After), the per-request timeout, draining for a graceful shutdown, errors in OpenAI's
 * shape, and metrics. Model work runs on virtual threads that queue their engine jobs.
 */
public final class Api implements AutoCloseable {
    static final String FINGERPRINT = "ttsi-0.1.0";
    private static final Logger LOG = Logger.getLogger(Api.class.getName());

    private final ServeOptions options;
    private final LanguageModel model;
    private final Metrics metrics = new Metrics();
    private final EngineQueue queue = new EngineQueue(metrics);
    private final ChatService chat;
    private final CompletionService completions;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Map<Cancel, Boolean> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ttsi-timeouts");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private final long startedAt = System.currentTimeMillis() / 1000;
    private volatile boolean draining;

    /** teacher: the TT-D generator of synthetic data (null: the model synthesizes its own). */
    public Api(ServeOptions options, LanguageModel model, LanguageModel teacher) {
        this.options = options;
        this.model = model;
        this.chat = new ChatService(options, model, queue, new SelfImprovement(options, teacher), metrics);
        this.completions = new CompletionService(options, model instanceof EmbeddedModel e ? e : null, queue, metrics);
        metrics.gauge("ttsi_queue_depth", admitted::get);
    }

    public Metrics metrics() {
        return metrics;
    }

    public ServeOptions options() {
        return options;
    }

    /** Requests admitted and not finished. */
    public int inProgress() {
        return admitted.get();
    }

    /** Handles one exchange; heavy endpoints continue on a virtual thread. Never throws. */
    void handle(Exchange ex) {
        String path = ex.path();
        String endpoint = switch (path) {
            case "/v1/chat/completions", "/chat/completions" -> "chat";
            case "/v1/completions", "/completions" -> "completions";
            case "/v1/models", "/models" -> "models";
            case "/health", "/healthz" -> "health";
            case "/metrics" -> "metrics";
            default -> path.startsWith("/v1/models/") ? "model" : "other";
        };
        try {
            if (!options.access().allows(endpoint, ex.header("Authorization"))) {
                metrics.inc("ttsi_unauthorized_total", "");
                throw ApiError.unauthorized(ex.header("Authorization") != null);
            }
            switch (endpoint) {
                case "chat", "completions" -> {
                    requireMethod(ex, "POST");
                    admit(ex, endpoint);
                    return;
                }
                case "models" -> {
                    requireMethod(ex, "GET");
                    ObjectNode o = Json.object();
                    o.put("object", "list");
                    o.putArray("data").add(modelCard());
                    json(ex, endpoint, 200, o);
                }
                case "model" -> {
                    requireMethod(ex, "GET");
                    String id = java.net.URLDecoder.decode(path.substring("/v1/models/".length()), StandardCharsets.UTF_8);
                    if (!knownModel(id, options, model)) throw ApiError.unknownModel(id, options.servedName());
                    json(ex, endpoint, 200, modelCard());
                }
                case "health" -> {
                    requireMethod(ex, "GET");
                    ObjectNode o = Json.object();
                    o.put("status", draining ? "draining" : "ok");
                    o.put("model", options.servedName());
                    o.put("in_progress", admitted.get());
                    o.put("queue_capacity", options.queue());
                    json(ex, endpoint, draining ? 503 : 200, o);
                }
                case "metrics" -> {
                    requireMethod(ex, "GET");
                    ex.respond(200, "text/plain; version=0.0.4; charset=utf-8", Map.of(), metrics.render().getBytes(StandardCharsets.UTF_8));
                    metrics.inc("ttsi_requests_total", Metrics.labels("endpoint", endpoint, "status", "200"));
                }
                default -> throw ApiError.notFound(ex.method(), path);
            }
        } catch (ApiError e) {
            error(ex, endpoint, e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request failed", e);
            error(ex, endpoint, ApiError.internal("internal error: " + e));
        }
    }

    private ObjectNode modelCard() {
        ObjectNode m = Json.object();
        m.put("id", options.servedName());
        m.put("object", "model");
        m.put("created", startedAt);
        m.put("owned_by", "ttsi");
        if (model.contextLength() > 0) m.put("max_model_len", model.contextLength());
        return m;
    }

    private static void requireMethod(Exchange ex, String method) {
        if (!ex.method().equals(method)) throw ApiError.methodNotAllowed(ex.method(), ex.path(), method);
    }

    private void admit(Exchange raw, String endpoint) {
        if (draining) throw ApiError.shuttingDown();
        while (true) {
            int n = admitted.get();
            if (n >= options.queue()) {
                metrics.inc("ttsi_rejected_total", "");
                throw ApiError.busy(n, options.retryAfterSeconds());
            }
            if (admitted.compareAndSet(n, n + 1)) break;
        }
        Cancel cancel = raw.cancel();
        inFlight.put(cancel, Boolean.TRUE);
        ScheduledFuture<?> deadline = timer.schedule(() -> cancel.cancel("timeout"), options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable release = () -> {
            if (!released.compareAndSet(false, true)) return;
            deadline.cancel(false);
            inFlight.remove(cancel);
            admitted.decrementAndGet();
            synchronized (admitted) {
                admitted.notifyAll();
            }
        };
        // The slot is freed once the response is written, so a client that sends its next request at once finds it free,
        // and a shutdown that waits for the slots knows the answers are out.
        Exchange ex = raw;
        ex.onComplete(release);
        try {
            Thread.ofVirtual().name("ttsi-request").start(() -> {
                try {
                    run(ex, endpoint);
                } finally {
                    if (!ex.finished()) release.run();
                }
            });
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
    }

    private void run(Exchange ex, String endpoint) {
        String id = (endpoint.equals("chat") ? "chatcmpl-" : "cmpl-") + HexFormat.of().formatHex(bytes());
        try {
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(ex.body());
            } catch (Exception e) {
                throw ApiError.badJson(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
            }
            if (body == null || body.isMissingNode()) throw ApiError.badJson("the body is empty");
            if (endpoint.equals("chat")) chat.handle(ex, body, id);
            else completions.handle(ex, body, id);
            metrics.inc("ttsi_requests_total", Metrics.labels("endpoint", endpoint, "status", "200"));
        } catch (Cancel.Cancelled c) {
            String reason = ex.cancel().reason() != null ? ex.cancel().reason() : c.reason;
            metrics.inc("ttsi_cancelled_total", Metrics.labels("reason", reason.replace(' ', '_')));
            ApiError e = switch (reason) {
                case "timeout" -> ApiError.timeout(options.requestTimeout().toMillis() / 1000.0);
                case "shutdown" -> ApiError.shuttingDown();
                default -> new ApiError(499, "invalid_request_error", "client_closed_request", null, "The client closed the connection.");
            };
            error(ex, endpoint, e);
        } catch (ApiError e) {
            error(ex, endpoint, e);
        } catch (ttsi.jinja.TemplateException e) {
            error(ex, endpoint, ApiError.invalid("messages", "The model's chat template rejected the conversation: " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            error(ex, endpoint, m.contains("exceeds the model's context")
                    ? ApiError.invalid("messages", "context_length_exceeded", m) : ApiError.invalid(null, m));
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "request " + id + " failed", e);
            error(ex, endpoint, ApiError.internal("internal error while answering: " + e));
        } finally {
            metrics.observe("ttsi_request_duration_seconds", Metrics.labels("endpoint", endpoint), (System.nanoTime() - ex.startNanos()) / 1e9);
        }
    }

    private byte[] bytes() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return b;
    }

    private void json(Exchange ex, String endpoint, int status, ObjectNode body) {
        ex.respond(status, "application/json", Map.of(), Json.compact(body).getBytes(StandardCharsets.UTF_8));
        metrics.inc("ttsi_requests_total", Metrics.labels("endpoint", endpoint, "status", Integer.toString(status)));
    }

    /** Answers an error: a JSON error response, or an error event when the event stream has begun. */
    private void error(Exchange ex, String endpoint, ApiError e) {
        metrics.inc("ttsi_requests_total", Metrics.labels("endpoint", endpoint, "status", Integer.toString(e.status())));
        try {
            if (ex.started()) {
                ex.event(Json.compact(e.toJson()));
                ex.endEvents();
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (e.retryAfterSeconds() >= 0) headers.put("retry-after", Long.toString(e.retryAfterSeconds()));
            ex.respond(e.status(), "application/json", headers, Json.compact(e.toJson()).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException ignored) {
            // the client is gone
        }
    }

    // ---- shared checks ----

    static boolean knownModel(String name, ServeOptions o, LanguageModel m) {
        return name.equals(o.servedName()) || name.equals(m.id());
    }

    /** An absent model name is accepted (the one served); another name is a 404. */
    static void checkModel(String name, ServeOptions o, LanguageModel m) {
        if (name != null && !knownModel(name, o, m)) throw ApiError.unknownModel(name, o.servedName());
    }

    /** The completion budget: the request's, else the default capped by what the context leaves; checks the context. */
    static int maxTokens(LanguageModel m, Integer requested, int promptTokens, ServeOptions o) {
        int ctx = m.contextLength();
        if (ctx <= 0 || promptTokens < 0) return requested != null ? requested : o.defaultMaxTokens();
        if (promptTokens >= ctx || (requested != null && (long) promptTokens + requested > ctx)) {
            String asked = requested == null ? promptTokens + " tokens in the prompt"
                    : ((long) promptTokens + requested) + " tokens (" + promptTokens + " in the prompt, " + requested + " for the completion)";
            throw ApiError.invalid("messages", "context_length_exceeded", "This model's maximum context length is " + ctx
                    + " tokens. However, you requested " + asked + ". Please reduce the length of the messages or the completion.");
        }
        return requested != null ? requested : Math.min(o.defaultMaxTokens(), ctx - promptTokens);
    }

    // ---- shutdown ----

    /** Stops admitting; waits up to the grace period for admitted requests, then cancels the rest. True when none was cancelled. */
    public boolean drain() {
        draining = true;
        long end = System.nanoTime() + options.shutdownGrace().toNanos();
        synchronized (admitted) {
            while (admitted.get() > 0 && System.nanoTime() < end) {
                try {
                    admitted.wait(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        boolean clean = admitted.get() == 0;
        for (Cancel c : inFlight.keySet()) c.cancel("shutdown");
        long stop = System.nanoTime() + 5_000_000_000L; // let cancelled requests answer
        synchronized (admitted) {
            while (admitted.get() > 0 && System.nanoTime() < stop) {
                try {
                    admitted.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return clean;
    }

    public boolean draining() {
        return draining;
    }

    @Override
    public void close() {
        draining = true;
        queue.close();
        timer.shutdownNow();
    }
}
