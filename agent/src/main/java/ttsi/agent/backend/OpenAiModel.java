package ttsi.agent.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.ScoringModel;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.tokenizer.ChatTemplate;

/**
 * A model behind an OpenAI-compatible HTTP server (OpenAI, vLLM, llama.cpp's server, ...): the teacher of TT-D, or
 * a remote student.
 *
 * <p>{@link #generate} posts to {@code /v1/chat/completions}; the server applies the model's chat template. Tool
 * calls the server returns as structured {@code tool_calls} come back as the text
 * {@code [{"name": ..., "arguments": {...}}]} (after any content text), which
 * {@link ttsi.agent.tools.ToolCallParser} reads. {@code top_k} is sent only when set (a vLLM/llama.cpp
 * extension).
 *
 * <p>Reasoning models (OpenAI's GPT-5 family and o-series, and others behind compatible servers) refuse some
 * parameters: a 400 whose error names a {@code param} with code {@code unsupported_value} or
 * {@code unsupported_parameter} (or whose message plainly says a parameter is unsupported, for servers that leave
 * {@code param} out) is answered by sending the same request again without that parameter ({@code max_tokens} is
 * sent as {@code max_completion_tokens} instead, and the other way round). Each parameter is dropped at most once per
 * request, only the sampling and length parameters ttsi adds are ever dropped, and any other 400 fails as before.
 * What an endpoint (API root + model) refused is remembered for the rest of the process, so later requests, from
 * any instance, leave it out up front; the first refusal of each is logged once as a WARNING. Reasoning counts
 * against the completion cap, so {@link Config#reasoningTokens()} is added to the cap sent (the answer keeps
 * {@code maxTokens} of its own), and {@link Config#reasoningEffort()} is sent as {@code reasoning_effort}. Each
 * generation's {@link Exchange} (what was sent, what was left out, the usage with
 * {@code usage.completion_tokens_details.reasoning_tokens}, and the reasoning text of servers that return it as
 * {@code reasoning_content} or {@code reasoning}) is available from {@link #lastExchange()} and {@link #record()}.
 *
 * <p>Scoring ({@link #scoring()}) needs a local copy of the model's chat template ({@link Config#templateDir()}): the prompt is rendered
 * here, and each continuation is scored by posting prompt + continuation to {@code /v1/completions} with
 * {@code echo} and {@code logprobs} (vLLM returns prompt log-probabilities that way). Unlike the embedded model,
 * the server tokenizes prompt and continuation together; a token straddling the boundary counts as continuation.
 *
 * <p>Failures are retried with exponential back-off and jitter (or the server's {@code Retry-After}) on HTTP 429,
 * 500, 502, 503, 504 and on I/O errors (refused connections, timeouts); other statuses fail at once. Errors raise
 * {@link OpenAiException} naming the URL, the status and the server's message, never the API key.
 * Thread-safe.
 */
public final class OpenAiModel implements LanguageModel {
    public static final String DEFAULT_KEY_ENV = "OPENAI_API_KEY";
    public static final String TEACHER_URL_ENV = "TTSI_TEACHER_URL", BASE_URL_ENV = "OPENAI_BASE_URL";
    public static final String TEACHER_MODEL_ENV = "TTSI_TEACHER_MODEL", TEACHER_KEY_ENV = "TTSI_TEACHER_API_KEY";
    public static final String TEACHER_REASONING_TOKENS_ENV = "TTSI_TEACHER_REASONING_TOKENS";
    public static final String TEACHER_REASONING_EFFORT_ENV = "TTSI_TEACHER_REASONING_EFFORT";

    private static final Logger LOG = Logger.getLogger(OpenAiModel.class.getName());

    static final Set<Integer> RETRYABLE = Set.of(429, 500, 502, 503, 504);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(120);
    private static final int MAX_SHOWN_BODY = 300;

    /**
     * Where and how to reach the server.
     *
     * @param baseUrl the server, with or without a trailing {@code /v1}
     * @param model the served model name sent with each request
     * @param apiKeyEnv the environment variable holding the API key (default {@value #DEFAULT_KEY_ENV}); unset or
     *     blank: no Authorization header (local servers)
     * @param timeout per request (default 180 s)
     * @param maxRetries retries after the first attempt (default 4)
     * @param initialBackoff the first retry's delay, doubled each retry (default 1 s)
     * @param templateDir optional local model folder whose chat template renders prompts for scoring; null: no
     *     scoring
     * @param reasoningTokens tokens a reasoning model may spend thinking, added to each generation's completion cap
     *     so the answer keeps its own {@code maxTokens} (default 0: none added)
     * @param reasoningEffort sent as {@code reasoning_effort} ({@code minimal}, {@code low}, {@code medium},
     *     {@code high}, ... as the server accepts); null or blank: not sent
     */
    public record Config(URI baseUrl, String model, String apiKeyEnv, Duration timeout, int maxRetries,
            Duration initialBackoff, Path templateDir, int reasoningTokens, String reasoningEffort) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(180);
        public static final int DEFAULT_RETRIES = 4;
        public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);

        public Config {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("the base URL must be an http(s) URL with a host, e.g. http://127.0.0.1:8000/v1; got "
                        + redact(baseUrl));
            }
            if (model == null || model.isBlank()) throw new IllegalArgumentException("a model name is needed");
            apiKeyEnv = apiKeyEnv == null || apiKeyEnv.isBlank() ? DEFAULT_KEY_ENV : apiKeyEnv;
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("the timeout must be positive");
            if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
            initialBackoff = initialBackoff == null ? DEFAULT_BACKOFF : initialBackoff;
            if (initialBackoff.isNegative()) throw new IllegalArgumentException("initialBackoff must be >= 0");
            if (reasoningTokens < 0) throw new IllegalArgumentException("reasoningTokens must be >= 0, got " + reasoningTokens);
            reasoningEffort = reasoningEffort == null || reasoningEffort.isBlank() ? null : reasoningEffort.strip();
        }

        /** No reasoning budget and no reasoning effort. */
        public Config(URI baseUrl, String model, String apiKeyEnv, Duration timeout, int maxRetries, Duration initialBackoff,
                Path templateDir) {
            this(baseUrl, model, apiKeyEnv, timeout, maxRetries, initialBackoff, templateDir, 0, null);
        }

        /** Defaults: key from {@value #DEFAULT_KEY_ENV}, 180 s timeout, 4 retries from 1 s, no scoring. */
        public static Config of(URI baseUrl, String model) {
            return new Config(baseUrl, model, null, null, DEFAULT_RETRIES, null, null);
        }

        /** {@link #fromEnvironment(String, String, Function)} over the process environment. */
        public static Config fromEnvironment(String baseUrl, String model) {
            return fromEnvironment(baseUrl, model, System::getenv);
        }

        /**
         * The base URL from the argument, else {@value #TEACHER_URL_ENV}, else {@value #BASE_URL_ENV}; the model from
         * the argument, else {@value #TEACHER_MODEL_ENV}; the key from {@value #TEACHER_KEY_ENV} when that is set,
         * else {@value #DEFAULT_KEY_ENV}; the reasoning budget from {@value #TEACHER_REASONING_TOKENS_ENV} (a whole
         * number of tokens, default 0) and the effort from {@value #TEACHER_REASONING_EFFORT_ENV} (default: not
         * sent). Other settings are the defaults.
         */
        public static Config fromEnvironment(String baseUrl, String model, Function<String, String> env) {
            String url = firstNonBlank(baseUrl, env.apply(TEACHER_URL_ENV), env.apply(BASE_URL_ENV));
            if (url == null) {
                throw new IllegalArgumentException("no server URL: pass one or set " + TEACHER_URL_ENV + " or " + BASE_URL_ENV);
            }
            String m = firstNonBlank(model, env.apply(TEACHER_MODEL_ENV));
            if (m == null) throw new IllegalArgumentException("no model name: pass one or set " + TEACHER_MODEL_ENV);
            String keyEnv = firstNonBlank(env.apply(TEACHER_KEY_ENV)) != null ? TEACHER_KEY_ENV : DEFAULT_KEY_ENV;
            URI uri;
            try {
                uri = new URI(url.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URL: " + e.getMessage(), e);
            }
            int budget = 0;
            String tokens = firstNonBlank(env.apply(TEACHER_REASONING_TOKENS_ENV));
            if (tokens != null) {
                try {
                    budget = Integer.parseInt(tokens.strip());
                } catch (NumberFormatException e) {
                    budget = -1;
                }
                if (budget < 0) {
                    throw new IllegalArgumentException(TEACHER_REASONING_TOKENS_ENV + " must be a whole number of tokens >= 0, got '"
                            + tokens.strip() + "'");
                }
            }
            return new Config(uri, m.strip(), keyEnv, null, DEFAULT_RETRIES, null, null, budget,
                    firstNonBlank(env.apply(TEACHER_REASONING_EFFORT_ENV)));
        }

        public Config withTemplateDir(Path dir) {
            return new Config(baseUrl, model, apiKeyEnv, timeout, maxRetries, initialBackoff, dir, reasoningTokens, reasoningEffort);
        }

        public Config withTimeout(Duration t) {
            return new Config(baseUrl, model, apiKeyEnv, t, maxRetries, initialBackoff, templateDir, reasoningTokens, reasoningEffort);
        }

        public Config withRetries(int retries, Duration backoff) {
            return new Config(baseUrl, model, apiKeyEnv, timeout, retries, backoff, templateDir, reasoningTokens, reasoningEffort);
        }

        public Config withApiKeyEnv(String env) {
            return new Config(baseUrl, model, env, timeout, maxRetries, initialBackoff, templateDir, reasoningTokens, reasoningEffort);
        }

        /** A reasoning budget added to each completion cap, and the {@code reasoning_effort} to send (null: none). */
        public Config withReasoning(int tokens, String effort) {
            return new Config(baseUrl, model, apiKeyEnv, timeout, maxRetries, initialBackoff, templateDir, tokens, effort);
        }
    }

    /**
     * One chat generation as it went over the wire: what ttsi sent (the request's parameters, without the messages
     * and tools), which of the caller's parameters were left out because the endpoint refused them (before or
     * during this request), how many refusals this request met, and what came back.
     *
     * @param endpoint the model's {@link OpenAiModel#id()}
     * @param requested the caller's options
     * @param reasoningBudget the tokens added to {@code requested.maxTokens()} for reasoning
     * @param sent the parameters of the request that succeeded ({@code model}, the cap under the name sent,
     *     sampling parameters, {@code reasoning_effort}, ...)
     * @param omitted the parameters the options asked for that were not sent under their own name (e.g.
     *     {@code temperature}; {@code max_tokens} when the cap went as {@code max_completion_tokens})
     * @param refusals 400s answered by dropping a parameter during this request (0 once the endpoint is known)
     * @param finishReason "stop", "length", ... as in {@link Completion}
     * @param text the returned text (as in {@link Completion#text()})
     * @param reasoningTokens {@code usage.completion_tokens_details.reasoning_tokens}, or -1 when not reported
     * @param reasoning the reasoning text ({@code message.reasoning_content}, vLLM's newer {@code message.reasoning}),
     *     or null
     * @param usage the server's {@code usage} object as returned (empty when absent)
     */
    public record Exchange(String endpoint, GenerationOptions requested, int reasoningBudget, ObjectNode sent,
            List<String> omitted, int refusals, String finishReason, String text, int promptTokens, int completionTokens,
            int reasoningTokens, String reasoning, ObjectNode usage, double seconds) {
        public Exchange {
            sent = sent.deepCopy();
            omitted = List.copyOf(omitted);
            usage = usage == null ? Json.object() : usage.deepCopy();
        }

        @Override
        public ObjectNode sent() {
            return sent.deepCopy();
        }

        @Override
        public ObjectNode usage() {
            return usage.deepCopy();
        }

        /** Completion tokens less reasoning tokens (all of them when reasoning is not reported). */
        public int answerTokens() {
            return reasoningTokens < 0 ? completionTokens : Math.max(0, completionTokens - reasoningTokens);
        }

        /** The cap ran out before any answer: finish "length" with nothing returned (reasoning took it all). */
        public boolean starved() {
            return "length".equals(finishReason) && text.isBlank();
        }

        /**
         * For a result line: {@code endpoint}, {@code sent}, {@code omitted}, {@code refusals}, {@code requested}
         * ({@code max_tokens}, {@code temperature}, {@code top_p}, {@code top_k}, {@code seed}),
         * {@code reasoning_budget}, {@code finish_reason}, {@code prompt_tokens}, {@code completion_tokens},
         * {@code reasoning_tokens} (null when not reported), {@code starved}, {@code usage}, {@code seconds} and, when
         * the server returned it, {@code reasoning} (cut to {@code maxReasoningChars}, with "..." when cut; a
         * negative value keeps it whole, 0 leaves it out). The text itself is not repeated.
         */
        public ObjectNode toJson(int maxReasoningChars) {
            ObjectNode o = Json.object();
            o.put("endpoint", endpoint);
            o.set("sent", sent.deepCopy());
            ArrayNode om = o.putArray("omitted");
            omitted.forEach(om::add);
            o.put("refusals", refusals);
            ObjectNode rq = o.putObject("requested");
            rq.put("max_tokens", requested.maxTokens());
            rq.put("temperature", requested.temperature());
            rq.put("top_p", requested.topP());
            rq.put("top_k", requested.topK());
            rq.put("seed", requested.seed());
            o.put("reasoning_budget", reasoningBudget);
            o.put("finish_reason", finishReason);
            o.put("prompt_tokens", promptTokens);
            o.put("completion_tokens", completionTokens);
            if (reasoningTokens < 0) o.putNull("reasoning_tokens");
            else o.put("reasoning_tokens", reasoningTokens);
            o.put("starved", starved());
            o.set("usage", usage.deepCopy());
            o.put("seconds", seconds);
            if (reasoning != null && maxReasoningChars != 0) {
                o.put("reasoning", maxReasoningChars < 0 || reasoning.length() <= maxReasoningChars ? reasoning
                        : reasoning.substring(0, maxReasoningChars) + "...");
            }
            return o;
        }

        /** {@link #toJson(int)} with the reasoning text whole. */
        public ObjectNode toJson() {
            return toJson(-1);
        }
    }

    /**
     * The exchanges this model makes on the calling thread while open (nested recordings each get them all); close
     * it on the same thread. E.g. around one input's synthesis, to record what the teacher was sent and returned.
     */
    public final class Recording implements AutoCloseable {
        private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
        private final List<Recording> scope;

        private Recording(List<Recording> scope) {
            this.scope = scope;
        }

        /** The exchanges so far, oldest first. */
        public List<Exchange> exchanges() {
            synchronized (exchanges) {
                return List.copyOf(exchanges);
            }
        }

        /** {@link Exchange#toJson(int)} of each exchange so far. */
        public ArrayNode toJson(int maxReasoningChars) {
            ArrayNode a = Json.array();
            for (Exchange x : exchanges()) a.add(x.toJson(maxReasoningChars));
            return a;
        }

        @Override
        public void close() {
            scope.remove(this);
        }
    }

    /** How back-off waits are taken (tests record them instead). */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Config config;
    private final String apiKey; // never logged, never in messages
    private final HttpClient client;
    private final Sleeper sleeper;
    private final SplittableRandom jitter;
    private final URI chatUrl, completionsUrl;
    private final String id;
    private final ChatTemplate template; // null without templateDir
    private final Set<String> refused; // this endpoint's entry in REFUSED
    private final String endpointKey;
    private final ThreadLocal<Exchange> last = new ThreadLocal<>();
    private final ThreadLocal<List<Recording>> recordings = new ThreadLocal<>();
    private volatile int scoreMaxTokens = 0;

    /** The parameters ttsi adds that a server may refuse; nothing else (model, messages, tools) is ever dropped. */
    static final Set<String> DROPPABLE = Set.of("temperature", "top_p", "top_k", "seed", "stop", "max_tokens",
            "max_completion_tokens", "reasoning_effort");
    /** The completion cap's two names: a refused one is sent under the other. */
    static final Map<String, String> CAP_NAMES = Map.of("max_tokens", "max_completion_tokens", "max_completion_tokens", "max_tokens");
    static final Set<String> UNSUPPORTED_CODES = Set.of("unsupported_value", "unsupported_parameter");
    private static final String NAME = "['\"`]?([A-Za-z_][A-Za-z0-9_]*)['\"`]?";
    /** Messages that say a named parameter is not accepted (for servers that leave {@code param} out). */
    private static final List<Pattern> REFUSAL_MESSAGES = List.of(
            Pattern.compile("unsupported (?:parameter|value|argument|param)s?\\s*:?\\s*" + NAME, Pattern.CASE_INSENSITIVE),
            Pattern.compile("unrecognized request arguments? supplied\\s*:?\\s*" + NAME, Pattern.CASE_INSENSITIVE),
            Pattern.compile(NAME + " (?:is not supported|is unsupported|isn't supported|is not allowed|does not support)",
                    Pattern.CASE_INSENSITIVE));
    /** Per endpoint (API root + model): the parameters it refused, for the life of the process. */
    private static final Map<String, Set<String>> REFUSED = new ConcurrentHashMap<>();
    /** Endpoints already warned that reasoning left no room for the answer. */
    private static final Set<String> STARVED_WARNED = ConcurrentHashMap.newKeySet();

    /** Reads the API key from the process environment. */
    public OpenAiModel(Config config) {
        this(config, System::getenv);
    }

    /** Reads the API key through {@code env} (the variable named by {@link Config#apiKeyEnv()}). */
    public OpenAiModel(Config config, Function<String, String> env) {
        this(config, env, d -> Thread.sleep(d), 0x7751L);
    }

    OpenAiModel(Config config, Function<String, String> env, Sleeper sleeper, long jitterSeed) {
        this.config = Objects.requireNonNull(config, "config");
        String key = env.apply(config.apiKeyEnv());
        this.apiKey = key == null || key.isBlank() ? null : key.strip();
        this.sleeper = sleeper;
        this.jitter = new SplittableRandom(jitterSeed);
        URI root = apiRoot(config.baseUrl());
        this.chatUrl = root.resolve("chat/completions");
        this.completionsUrl = root.resolve("completions");
        String shown = redact(config.baseUrl());
        while (shown.endsWith("/")) shown = shown.substring(0, shown.length() - 1);
        this.id = config.model() + "@" + shown;
        this.template = config.templateDir() == null ? null : ChatTemplate.load(config.templateDir());
        this.endpointKey = root + " " + config.model();
        this.refused = REFUSED.computeIfAbsent(endpointKey, k -> ConcurrentHashMap.newKeySet());
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public Config config() {
        return config;
    }

    @Override
    public String id() {
        return id;
    }

    /** {@code {base}/v1/}, whether or not the base already ends in /v1. */
    static URI apiRoot(URI base) {
        String s = base.toString();
        int q = s.indexOf('?');
        if (q >= 0) s = s.substring(0, q);
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        if (s.endsWith("/v1")) s = s.substring(0, s.length() - 3);
        return URI.create(s + "/v1/");
    }

    // ---- generation ----

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
        long t0 = System.nanoTime();
        ObjectNode body = chatRequest(messages, tools, o);
        List<String> droppedHere = new ArrayList<>();
        JsonNode resp;
        while (true) {
            try {
                resp = post(chatUrl, body);
                break;
            } catch (OpenAiException e) {
                // A reasoning model refusing a sampling or length parameter: the same request without it. Each
                // parameter at most once, and only one the body still has, so this ends.
                String p = refusedParameter(e, body);
                if (p == null || droppedHere.contains(p)
                        || !omit(body, p, q -> droppedHere.contains(q) || refused.contains(q))) {
                    throw e;
                }
                droppedHere.add(p);
                learn(p, body, e);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Completion c = completion(resp, seconds);
        Exchange x = exchange(resp, body, o, droppedHere.size(), c);
        last.set(x);
        List<Recording> rs = recordings.get();
        if (rs != null) for (Recording r : rs) r.exchanges.add(x);
        if (x.starved() && (x.reasoningTokens() > 0 || x.reasoning() != null) && STARVED_WARNED.add(endpointKey)) {
            LOG.log(Level.WARNING, () -> id + ": the answer was cut off before it began: " + x.completionTokens()
                    + " completion tokens, " + (x.reasoningTokens() >= 0 ? x.reasoningTokens() + " of them reasoning" : "spent reasoning")
                    + ", under a cap of " + capOf(x.sent()) + " (" + o.maxTokens() + " for the answer + a reasoning budget of "
                    + config.reasoningTokens() + "); raise the budget (OpenAiModel.Config.reasoningTokens, or "
                    + TEACHER_REASONING_TOKENS_ENV + " for a teacher)");
        }
        return c;
    }

    /**
     * What the calling thread's last successful {@link #generate} with this model sent and got back (null before
     * any). Read it right after the call it describes.
     */
    public Exchange lastExchange() {
        return last.get();
    }

    /** Starts recording this model's exchanges on the calling thread (see {@link Recording}). */
    public Recording record() {
        List<Recording> rs = recordings.get();
        if (rs == null) {
            rs = new CopyOnWriteArrayList<>();
            recordings.set(rs);
        }
        Recording r = new Recording(rs);
        rs.add(r);
        return r;
    }

    /** The parameters this endpoint refused so far in this process (sorted). */
    public List<String> refusedParameters() {
        return refused.stream().sorted().toList();
    }

    /** Forgets every endpoint's refused parameters (tests: a later stub may reuse a port). */
    static void forgetRefusals() {
        REFUSED.values().forEach(Set::clear);
        STARVED_WARNED.clear();
    }

    /** The chat-completions request body, leaving out what this endpoint refused before. */
    ObjectNode chatRequest(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
        ObjectNode body = Json.object();
        body.put("model", config.model());
        body.set("messages", chatMessages(messages));
        if (tools != null && !tools.isEmpty()) body.set("tools", ChatToolPrompt.tools(tools));
        body.setAll(parameters(o, refused));
        return body;
    }

    /**
     * The request's parameters: the completion cap ({@code maxTokens} + the reasoning budget), sampling, seed, stop
     * and reasoning effort, without those in {@code leaveOut} (a refused cap name goes under its other name).
     */
    ObjectNode parameters(GenerationOptions o, Set<String> leaveOut) {
        ObjectNode p = Json.object();
        int cap = (int) Math.min(Integer.MAX_VALUE, (long) o.maxTokens() + config.reasoningTokens());
        String capName = leaveOut.contains("max_tokens") && !leaveOut.contains("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        p.put(capName, cap);
        if (!leaveOut.contains("temperature")) p.put("temperature", o.temperature());
        if (!leaveOut.contains("top_p")) p.put("top_p", o.topP());
        if (o.topK() > 0 && !leaveOut.contains("top_k")) p.put("top_k", o.topK());
        if (!leaveOut.contains("seed")) p.put("seed", o.seed());
        if (!o.stop().isEmpty() && !leaveOut.contains("stop")) {
            ArrayNode stop = p.putArray("stop");
            o.stop().forEach(stop::add);
        }
        if (config.reasoningEffort() != null && !leaveOut.contains("reasoning_effort")) p.put("reasoning_effort", config.reasoningEffort());
        return p;
    }

    /**
     * The top-level request parameter a 400 (or 422) refuses as unsupported, when it is one ttsi may drop and the
     * body has it; else null. Read from the error's {@code param} with code {@code unsupported_value} or
     * {@code unsupported_parameter}, else from a message that says so ("Unsupported parameter: 'max_tokens' ...",
     * "Unrecognized request argument supplied: top_k", "'stop' is not supported ..."). A {@code param} given with
     * another code (e.g. {@code invalid_value}: the value is wrong, not the parameter) is not a refusal.
     */
    static String refusedParameter(OpenAiException e, ObjectNode body) {
        if (e.status() != 400 && e.status() != 422) return null;
        String param = e.errorParam() == null || e.errorParam().isBlank() ? null : e.errorParam().strip();
        String code = e.errorCode() == null ? null : e.errorCode().strip().toLowerCase(Locale.ROOT);
        String msg = e.serverMessage() == null ? "" : e.serverMessage();
        if (param != null) {
            boolean says = UNSUPPORTED_CODES.contains(code) || param.equals(namedInMessage(msg, body));
            return says && DROPPABLE.contains(param) && body.has(param) ? param : null;
        }
        String named = namedInMessage(msg, body);
        if (named != null) return named;
        // The older wording without a parameter name: "... use max_completion_tokens".
        if (msg.contains("max_completion_tokens") && body.has("max_tokens")) return "max_tokens";
        return null;
    }

    /** The first droppable parameter of the body that the message says is unsupported, or null. */
    private static String namedInMessage(String msg, ObjectNode body) {
        for (Pattern pattern : REFUSAL_MESSAGES) {
            Matcher m = pattern.matcher(msg);
            while (m.find()) {
                String name = m.group(1);
                if (DROPPABLE.contains(name) && body.has(name)) return name;
            }
        }
        return null;
    }

    /**
     * Takes a refused parameter out of the body: the completion cap moves to its other name (unless that was refused
     * too), anything else is removed. False, with the body unchanged, when that cannot be done.
     */
    static boolean omit(ObjectNode body, String param, Predicate<String> alsoRefused) {
        if (!DROPPABLE.contains(param) || !body.has(param)) return false;
        String other = CAP_NAMES.get(param);
        if (other != null) {
            if (alsoRefused.test(other) || body.has(other)) return false;
            body.set(other, body.remove(param));
        } else {
            body.remove(param);
        }
        return true;
    }

    /** Remembers a refusal for this endpoint, logging the first of each parameter. */
    private void learn(String param, ObjectNode body, OpenAiException e) {
        if (!refused.add(param)) return;
        String other = CAP_NAMES.get(param);
        String what = other != null && body.has(other) ? "sends it as '" + other + "'" : "leaves it out";
        String why = "HTTP " + e.status() + (e.errorCode() != null ? ", " + e.errorCode() : "")
                + (e.serverMessage() != null && !e.serverMessage().isBlank() ? ": " + shorten(e.serverMessage()) : "");
        LOG.log(Level.WARNING, () -> id + " refused the parameter '" + param + "' (" + why + "); ttsi " + what
                + " in this and every later request to this endpoint");
    }

    private static String capOf(ObjectNode sent) {
        JsonNode c = sent.has("max_completion_tokens") ? sent.get("max_completion_tokens") : sent.get("max_tokens");
        return c == null ? "?" : c.asText();
    }

    /** The exchange record of a successful generation. */
    private Exchange exchange(JsonNode resp, ObjectNode body, GenerationOptions o, int refusals, Completion c) {
        ObjectNode sent = body.deepCopy();
        sent.remove("messages");
        sent.remove("tools");
        List<String> omitted = new ArrayList<>();
        for (Iterator<String> it = parameters(o, Set.of()).fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!sent.has(name)) omitted.add(name);
        }
        JsonNode usage = resp.path("usage");
        JsonNode msg = firstChoice(resp, chatUrl).path("message");
        return new Exchange(id, o, config.reasoningTokens(), sent, omitted, refusals, c.finishReason(), c.text(), c.promptTokens(),
                c.completionTokens(), reasoningTokens(usage), reasoningText(msg), usage.isObject() ? (ObjectNode) usage : null, c.seconds());
    }

    /** {@code usage.completion_tokens_details.reasoning_tokens} (OpenAI), else {@code usage.reasoning_tokens}; -1 when absent. */
    static int reasoningTokens(JsonNode usage) {
        JsonNode d = usage.path("completion_tokens_details").path("reasoning_tokens");
        if (d.isIntegralNumber()) return d.intValue();
        JsonNode r = usage.path("reasoning_tokens");
        return r.isIntegralNumber() ? r.intValue() : -1;
    }

    /** The message's reasoning text: {@code reasoning_content} (vLLM, DeepSeek), else {@code reasoning}; null when none. */
    static String reasoningText(JsonNode msg) {
        for (String f : new String[] {"reasoning_content", "reasoning"}) {
            JsonNode r = msg.get(f);
            if (r != null && r.isTextual() && !r.textValue().isEmpty()) return r.textValue();
        }
        return null;
    }

    /**
     * Messages in the OpenAI wire shape: assistant tool calls get ids ({@code call_0}, {@code call_1}, ...) and
     * their arguments as a JSON string; each tool message answering them gets the matching {@code tool_call_id}
     * (in order).
     */
    static ArrayNode chatMessages(List<Message> messages) {
        ArrayNode out = Json.array();
        Deque<String> pending = new ArrayDeque<>();
        int next = 0;
        for (Message m : messages) {
            ObjectNode o = m.toChatJson();
            if (o.path("tool_calls").isArray()) {
                pending.clear();
                for (JsonNode tc : o.get("tool_calls")) {
                    ObjectNode call = (ObjectNode) tc;
                    String id = "call_" + next++;
                    ObjectNode fn = (ObjectNode) call.get("function");
                    JsonNode args = fn.get("arguments");
                    fn.put("arguments", args == null || args.isNull() ? "{}" : args.isTextual() ? args.textValue() : Json.dumps(args));
                    ObjectNode rebuilt = Json.object();
                    rebuilt.put("id", id);
                    rebuilt.put("type", "function");
                    rebuilt.set("function", fn);
                    call.removeAll();
                    call.setAll(rebuilt);
                    pending.add(id);
                }
            } else if (m.role().equals(Message.TOOL)) {
                if (!pending.isEmpty()) o.put("tool_call_id", pending.poll());
            } else {
                pending.clear();
            }
            out.add(o);
        }
        return out;
    }

    /** Reads a chat-completions response. */
    Completion completion(JsonNode resp, double seconds) {
        JsonNode choice = firstChoice(resp, chatUrl);
        JsonNode msg = choice.path("message");
        String content = contentText(msg.get("content"));
        ArrayNode calls = Json.array();
        if (msg.path("tool_calls").isArray()) {
            for (JsonNode tc : msg.get("tool_calls")) calls.add(call(tc.has("function") ? tc.get("function") : tc));
        } else if (msg.path("function_call").isObject()) { // the legacy single-call field
            calls.add(call(msg.get("function_call")));
        }
        String text = content;
        if (!calls.isEmpty()) {
            String list = Json.dumps(calls);
            text = content.isBlank() ? list : content.stripTrailing() + "\n" + list;
        }
        JsonNode usage = resp.path("usage");
        return new Completion(text, finishReason(choice.path("finish_reason")), usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0), seconds);
    }

    /** {"name", "arguments"}: the arguments string parsed back to JSON, or kept as a string when it is not JSON. */
    static ObjectNode call(JsonNode fn) {
        ObjectNode c = Json.object();
        c.put("name", fn.path("name").asText(""));
        JsonNode args = fn.get("arguments");
        if (args == null || args.isNull() || args.isMissingNode()) {
            c.set("arguments", Json.object());
        } else if (args.isTextual()) {
            String s = args.textValue().strip();
            JsonNode parsed = s.isEmpty() ? Json.object() : Json.tryParse(s);
            c.set("arguments", parsed != null ? parsed : Json.NODES.textNode(args.textValue()));
        } else {
            c.set("arguments", args.deepCopy());
        }
        return c;
    }

    /** A string, or the text parts of a content list; null is empty. */
    static String contentText(JsonNode content) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.textValue();
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isTextual()) sb.append(part.textValue());
                else if (part.path("text").isTextual()) sb.append(part.get("text").textValue());
            }
            return sb.toString();
        }
        return content.toString();
    }

    /** "length" stays; "stop", "tool_calls", "function_call", "eos" and none become "stop"; others pass through. */
    static String finishReason(JsonNode r) {
        if (r == null || !r.isTextual()) return "stop";
        return switch (r.textValue()) {
            case "length" -> "length";
            case "stop", "tool_calls", "function_call", "eos", "" -> "stop";
            default -> r.textValue();
        };
    }

    private JsonNode firstChoice(JsonNode resp, URI url) {
        JsonNode choices = resp.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty() || !choices.get(0).isObject()) {
            throw failure(url, 200, "the response has no choices: " + shorten(Json.compact(resp)), null, null, 1, null);
        }
        return choices.get(0);
    }

    // ---- scoring ----

    /**
     * This model as a {@link ScoringModel} (for H), when {@link Config#templateDir()} gave a local chat template to
     * render prompts with; empty otherwise.
     */
    public Optional<ScoringModel> scoring() {
        return template == null ? Optional.empty() : Optional.of(new Scoring());
    }

    /** The model with its local chat template: generation as the model's own, scoring through /v1/completions. */
    private final class Scoring implements ScoringModel {
        @Override
        public String id() {
            return id;
        }

        @Override
        public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
            return OpenAiModel.this.generate(messages, tools, options);
        }

        @Override
        public Completion generate(List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions options, int topLogprobs,
                                   GenerationListener listener) {
            return OpenAiModel.this.generate(messages, tools, prefill, options, topLogprobs, listener);
        }

        @Override
        public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
            return ChatPrompts.assistantText(template, messages, tools, answer);
        }

        /**
         * Posts prompt + continuation to {@code /v1/completions} with {@code echo: true, logprobs: 0, max_tokens: 0}
         * (1 when the server refuses 0) and keeps the log-probabilities of the tokens at or after the prompt's end.
         */
        @Override
        public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
            String prompt = ChatPrompts.prompt(template, messages, tools);
            List<TokenLogprobs> out = new ArrayList<>();
            for (String c : continuations) out.add(scoreOne(prompt, c));
            return out;
        }
    }

    private TokenLogprobs scoreOne(String prompt, String continuation) {
        if (continuation.isEmpty()) return new TokenLogprobs(List.of(), new double[0]);
        String full = prompt + continuation;
        ObjectNode body = Json.object();
        body.put("model", config.model());
        body.put("prompt", full);
        body.put("max_tokens", scoreMaxTokens);
        body.put("echo", true);
        body.put("logprobs", 0);
        body.put("temperature", 0.0);
        JsonNode resp;
        try {
            resp = post(completionsUrl, body);
        } catch (OpenAiException e) {
            if (scoreMaxTokens != 0 || (e.status() != 400 && e.status() != 422)) throw e;
            scoreMaxTokens = 1; // a server that refuses max_tokens 0: generate one token and leave it out
            body.put("max_tokens", 1);
            resp = post(completionsUrl, body);
        }
        return continuationLogprobs(resp, prompt, full);
    }

    TokenLogprobs continuationLogprobs(JsonNode resp, String prompt, String full) {
        JsonNode choice = firstChoice(resp, completionsUrl);
        JsonNode lp = choice.get("logprobs");
        String unsupported = id + ": " + completionsUrl + " returned no prompt log-probabilities (scoring needs a server that "
                + "honours echo=true with logprobs on /v1/completions, as vLLM does)";
        if (lp == null || !lp.isObject() || !lp.path("tokens").isArray() || !lp.path("token_logprobs").isArray()
                || !lp.path("text_offset").isArray()) {
            throw new UnsupportedOperationException(unsupported);
        }
        JsonNode toks = lp.get("tokens"), lps = lp.get("token_logprobs"), offs = lp.get("text_offset");
        int n = toks.size();
        if (lps.size() != n || offs.size() != n) {
            throw new UnsupportedOperationException(unsupported + "; tokens, token_logprobs and text_offset differ in length");
        }
        if (choice.path("text").isTextual() && !choice.get("text").textValue().startsWith(full)) {
            throw new UnsupportedOperationException(unsupported + "; the prompt was not echoed");
        }
        // The echoed prompt's tokens: usage.prompt_tokens, else all but the generated ones.
        int generated = intOr(resp.path("usage").path("completion_tokens"), -1);
        int echoed = intOr(resp.path("usage").path("prompt_tokens"), -1);
        if (echoed < 0 || echoed > n) echoed = generated >= 0 && generated <= n ? n - generated : n - scoreMaxTokens;
        echoed = Math.max(0, Math.min(n, echoed));
        // Offsets count characters (code points) from the start of the echoed text. A server that prepends a BOS
        // token (not in our text) shifts them by that token's length.
        int promptLen = prompt.codePointCount(0, prompt.length());
        int fullLen = full.codePointCount(0, full.length());
        int shift = 0;
        if (echoed > 0) {
            String last = toks.get(echoed - 1).asText("");
            int end = offs.get(echoed - 1).asInt() + last.codePointCount(0, last.length());
            String first = toks.get(0).asText("");
            int firstLen = first.codePointCount(0, first.length());
            if (end - fullLen > 0 && end - fullLen == firstLen && offs.get(0).asInt() == 0) shift = firstLen;
        }
        String continuation = full.substring(prompt.length());
        int continuationLen = fullLen - promptLen;
        List<String> tokens = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < echoed; i++) {
            int start = offs.get(i).asInt() - shift;
            String t = toks.get(i).asText("");
            int end = i + 1 < n ? offs.get(i + 1).asInt() - shift : start + t.codePointCount(0, t.length());
            if (start >= fullLen) break;
            if (start >= promptLen || end > promptLen) {
                JsonNode v = lps.get(i);
                if (v == null || !v.isNumber()) {
                    throw new UnsupportedOperationException(unsupported + "; token " + i + " (" + t + ") has no log-probability");
                }
                tokens.add(t);
                values.add(v.doubleValue());
                ends.add(continuation.offsetByCodePoints(0, Math.max(0, Math.min(continuationLen, end - promptLen))));
            }
        }
        if (tokens.isEmpty()) throw new UnsupportedOperationException(unsupported + "; no token past the prompt's end");
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return new TokenLogprobs(tokens, out, null, ends.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int intOr(JsonNode n, int dflt) {
        return n != null && n.isIntegralNumber() ? n.intValue() : dflt;
    }

    // ---- HTTP ----

    /** Posts JSON and returns the parsed 2xx body, retrying as the class describes. */
    JsonNode post(URI url, ObjectNode body) {
        String json = Json.compact(body);
        int attempt = 0;
        while (true) {
            attempt++;
            HttpRequest.Builder rb = HttpRequest.newBuilder(url)
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            if (apiKey != null) rb.header("Authorization", "Bearer " + apiKey);
            HttpResponse<String> r;
            try {
                r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                if (attempt <= config.maxRetries()) {
                    pause(url, backoff(attempt, null), attempt, e);
                    continue;
                }
                throw failure(url, -1, describe(e), null, null, attempt, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(url, -1, "interrupted", null, null, attempt, e);
            }
            int status = r.statusCode();
            if (status / 100 == 2) {
                JsonNode parsed = Json.tryParse(r.body());
                if (parsed == null || !parsed.isObject()) {
                    throw failure(url, status, "the response is not a JSON object: " + shorten(r.body()), null, null, attempt, null);
                }
                if (parsed.path("error").isObject() && !parsed.has("choices")) { // some servers answer errors with 200
                    ServerError e = ServerError.of(r.body());
                    throw failure(url, status, e.message, e.type, e.code, e.param, attempt, null);
                }
                return parsed;
            }
            if (RETRYABLE.contains(status) && attempt <= config.maxRetries()) {
                pause(url, backoff(attempt, retryAfter(r.headers())), attempt, null);
                continue;
            }
            ServerError e = ServerError.of(r.body());
            throw failure(url, status, e.message, e.type, e.code, e.param, attempt, null);
        }
    }

    private void pause(URI url, Duration d, int attempt, Throwable cause) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(url, -1, "interrupted while waiting to retry", null, null, attempt, cause != null ? cause : e);
        }
    }

    /** The wait before retry number {@code attempt}: the server's Retry-After, else initial * 2^(attempt-1) plus up to 25% jitter. */
    Duration backoff(int attempt, Duration retryAfter) {
        if (retryAfter != null) return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        long base = config.initialBackoff().toNanos();
        long max = Math.max(base, MAX_BACKOFF.toNanos());
        double d = Math.min((double) max, base * Math.pow(2, Math.min(attempt - 1, 40)));
        double j;
        synchronized (jitter) {
            j = jitter.nextDouble();
        }
        return Duration.ofNanos((long) Math.min(max, d * (1 + 0.25 * j)));
    }

    /** {@code retry-after-ms} (OpenAI), else {@code Retry-After} in seconds or as an HTTP date; null when absent. */
    static Duration retryAfter(HttpHeaders h) {
        var ms = h.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double v = Double.parseDouble(ms.get().strip());
                if (v >= 0) return Duration.ofNanos((long) (v * 1e6));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        var ra = h.firstValue("retry-after");
        if (ra.isEmpty()) return null;
        String s = ra.get().strip();
        try {
            double v = Double.parseDouble(s);
            return v < 0 ? null : Duration.ofNanos((long) (v * 1e9));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    private String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) return "could not connect within " + seconds(config.timeout());
        if (e instanceof HttpTimeoutException) return "no response within " + seconds(config.timeout());
        if (e instanceof ConnectException) {
            return "cannot connect" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String seconds(Duration d) {
        return Json.pythonFloatRepr(d.toMillis() / 1000.0) + " s";
    }

    private OpenAiException failure(URI url, int status, String serverMessage, String type, String code, int attempts,
            Throwable cause) {
        return failure(url, status, serverMessage, type, code, null, attempts, cause);
    }

    private OpenAiException failure(URI url, int status, String serverMessage, String type, String code, String param,
            int attempts, Throwable cause) {
        String shownUrl = redact(url);
        StringBuilder sb = new StringBuilder("POST ").append(shownUrl).append(" failed: ");
        if (status >= 0) {
            sb.append("HTTP ").append(status);
            if (type != null || code != null) {
                sb.append(" (");
                if (type != null) sb.append(type);
                if (type != null && code != null) sb.append(", ");
                if (code != null) sb.append("code ").append(code);
                sb.append(')');
            }
            if (serverMessage != null && !serverMessage.isBlank()) sb.append(": ").append(serverMessage);
        } else {
            sb.append(serverMessage);
        }
        if (attempts > 1) sb.append(" (gave up after ").append(attempts).append(" attempts)");
        String message = hideKey(sb.toString());
        String sm = serverMessage == null ? null : hideKey(serverMessage);
        // The cause is kept for its type, but with the key scrubbed from its message it is only ever ours.
        return new OpenAiException(message, shownUrl, status, sm, type, code, param, attempts, cause);
    }

    private String hideKey(String s) {
        return apiKey == null || s == null ? s : s.replace(apiKey, "***");
    }

    /** The URL without user information. */
    static String redact(URI u) {
        if (u.getRawUserInfo() == null) return u.toString();
        try {
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return u.getScheme() + "://" + u.getHost();
        }
    }

    static String shorten(String s) {
        if (s == null) return "";
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= MAX_SHOWN_BODY ? t : t.substring(0, MAX_SHOWN_BODY) + "...";
    }

    private static String firstNonBlank(String... xs) {
        for (String x : xs) if (x != null && !x.isBlank()) return x;
        return null;
    }

    /** The server's error: OpenAI's {"error": {message, type, param, code}}, vLLM's older {"object": "error", ...}, or text. */
    record ServerError(String message, String type, String code, String param) {
        static ServerError of(String body) {
            JsonNode n = body == null ? null : Json.tryParse(body);
            if (n != null && n.isObject()) {
                JsonNode e = n.get("error");
                if (e != null && e.isObject()) {
                    return new ServerError(text(e.get("message"), body), text(e.get("type"), null), text(e.get("code"), null),
                            text(e.get("param"), null));
                }
                if (e != null && e.isTextual()) return new ServerError(e.textValue(), null, null, null);
                if (n.has("message")) {
                    return new ServerError(text(n.get("message"), body), text(n.get("type"), null), text(n.get("code"), null),
                            text(n.get("param"), null));
                }
                if (n.has("detail")) return new ServerError(text(n.get("detail"), body), null, null, null);
            }
            String s = shorten(body);
            return new ServerError(s.isEmpty() ? null : s, null, null, null);
        }

        private static String text(JsonNode v, String fallback) {
            if (v == null || v.isNull()) return fallback == null ? null : shorten(fallback);
            return v.isTextual() ? v.textValue() : shorten(Json.compact(v));
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
