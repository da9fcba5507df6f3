package ttsi.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.agent.model.LanguageModel;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.LoraMerge;
import ttsi.engine.train.TrainConfig;
import ttsi.server.Access;
import ttsi.server.ConnectionLimits;
import ttsi.server.ServeOptions;
import ttsi.server.TtsiMode;
import ttsi.server.TtsiServer;

@Command(name = "serve", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "A self-improving OpenAI-compatible HTTP server for the model, with health and Prometheus metrics.",
        "Endpoints: POST /v1/chat/completions (tools, streaming, logprobs), POST /v1/completions (echo + logprobs for "
                + "scoring), GET /v1/models, GET /health, GET /metrics (Prometheus).",
        "A request with tools that the model is unsure about is answered after test-time self-improvement (synthesize, "
                + "adapt, answer, reset); the request field \"ttsi\" (off/auto/force) or the X-TTSI header overrides --ttsi. "
                + "Ctrl-C shuts down gracefully."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a Hugging Face checkpoint folder") Path model;
    @Option(names = "--adapter", description = "a PEFT LoRA adapter folder (e.g. from 'ttsi finetune') merged into the model; "
            + "test-time LoRA trains on top and resets to base+adapter (default: none)") Path adapter;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (127.0.0.1: loopback only)") String host;
    @Option(names = "--port", defaultValue = "8000", description = "port (0: any free one)") int port;
    @Option(names = "--served-model-name", description = "the model name clients use (default: the folder's name)") String servedName;
    @Option(names = "--ttsi", defaultValue = "auto", description = "TT-SI of requests that do not choose: off, auto (when uncertain) or force") String ttsi;
    @Mixin UncertaintyOptions uncertaintyOptions;
    @Mixin SynthesisOptions synthesisOptions;
    @Option(names = "--synthesis-max-tokens", defaultValue = "512", description = "longest synthetic example, tokens") int synthesisMaxTokens;
    /** A TT-D teacher that writes the synthetic data (without one, the model itself writes it). */
    @Mixin TeacherOptions teacherOptions;
    /** Test-time training per adaptation, and its adapter. */
    @Mixin TrainingOptions trainingOptions;
    @Mixin LoraOptions loraOptions;
    @Option(names = "--queue", defaultValue = "16", description = "requests admitted at once (running or waiting); more get 429 with Retry-After") int queue;
    @Option(names = "--retry-after", defaultValue = "1", description = "seconds in the Retry-After of a 429") long retryAfter;
    @Option(names = "--timeout", defaultValue = "600", description = "seconds a request may take before it is cancelled (504)") double timeout;
    @Option(names = "--grace", defaultValue = "30", description = "seconds a shutdown waits for admitted requests before cancelling them") double grace;
    @Option(names = "--max-tokens", defaultValue = "1024", description = "completion tokens when a request sets none (capped by the context)") int maxTokens;
    @Option(names = "--max-body-mb", defaultValue = "8", description = "largest request body in MiB") int maxBodyMb;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;
    @Option(names = "--api-key", description = "clients must send 'Authorization: Bearer KEY'; /health stays open (default: $TTSI_API_KEY, else no key: open)") String apiKey;
    @Option(names = "--api-key-file", description = "read the API key from this file's first line (default: none)") Path apiKeyFile;
    @Option(names = "--client-ttsi", description = "the costliest TT-SI mode a client's X-TTSI header or 'ttsi' field can ask for: off, auto or force (default: no more than --ttsi)") String clientTtsi;
    @Option(names = "--body-timeout", defaultValue = "30", description = "seconds a request body may take to arrive after its headers (then 408)") double bodyTimeout;
    @Option(names = "--idle-timeout", defaultValue = "120", description = "seconds an idle keep-alive connection stays open") double idleTimeout;
    @Option(names = "--max-connections", defaultValue = "256", description = "open connections at most; more get 503") int maxConnections;
    @Option(names = "--max-adaptations", defaultValue = "0", description = "adaptations in progress at once; more are answered by the base model (0: no cap beyond --queue)") int maxAdaptations;
    @Option(names = "--max-buffered-mb", defaultValue = "256", description = "MiB of request bodies being received at once, all connections; more get 503") int maxBufferedMb;
    @Option(names = "--metrics-public", description = "with a key: serve /metrics without it (for a scraper that cannot send one)") boolean metricsPublic;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setGlobalThreads(threads);
        String name = servedName != null ? servedName : model.toAbsolutePath().normalize().getFileName().toString();
        OptionChecks.atLeast("--max-body-mb", maxBodyMb, 1);
        if (maxBodyMb > 2047) throw new IllegalArgumentException("--max-body-mb must be at most 2047 (bodies are held in memory), got " + maxBodyMb);
        try {
            java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + " is not an address or a name this machine can resolve");
        }
        Access access = access();
        ServeOptions o = new ServeOptions(host, port, name, queue, retryAfter, Duration.ofMillis((long) (timeout * 1000)),
                Duration.ofMillis((long) (grace * 1000)), maxBodyMb << 20, maxTokens, TtsiMode.of(ttsi, "--ttsi"),
                UncertaintyEstimator.Options.defaults().withTau(uncertaintyOptions.tau()),
                synthesisOptions.checked().config(OptionChecks.atLeast("--synthesis-max-tokens", synthesisMaxTokens, 1),
                        DataSynthesizer.Options.defaults().context()), access,
                new ConnectionLimits(Duration.ofMillis((long) (OptionChecks.positive("--body-timeout", bodyTimeout) * 1000)),
                        Duration.ofMillis((long) (OptionChecks.positive("--idle-timeout", idleTimeout) * 1000)), OptionChecks.atLeast("--max-connections", maxConnections, 1),
                        (long) OptionChecks.atLeast("--max-buffered-mb", maxBufferedMb, 1) << 20));
        if (!access.keyed() && !isLoopback(host)) {
            System.err.println("ttsi serve: WARNING: listening on " + host + " without an API key: anyone who can reach the port can use the model "
                    + "and start test-time training. Set --api-key, --api-key-file or TTSI_API_KEY.");
        }
        TrainConfig train = trainingOptions.config();
        LoraConfig lora = loraOptions.config();
        boolean useTeacher = teacherOptions.given();
        try (EmbeddedModel student = new EmbeddedModel(LoraMerge.load(model, adapter, dtypeOption.parsed()), lora, train);
             LanguageModel teacher = useTeacher ? teacherOptions.open() : null) {
            TtsiServer server = new TtsiServer(o, student, teacher).start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("ttsi serve: shutting down (finishing admitted requests, up to " + grace + " s)");
                server.shutdown();
                stopped.countDown();
            }, "ttsi-serve-shutdown"));
            System.err.printf("ttsi serve: %s on %s (TT-SI %s, tau %s, synthetic data from %s); queue %d, timeout %s s%n",
                    adapter == null ? name : name + " (adapter " + adapter + " merged)", server.baseUrl(),
                    o.ttsi().key(), o.tau(), teacher != null ? teacher.id() : "the model itself", queue, timeout);
            stopped.await();
        }
        return 0;
    }

    /** The key from --api-key, else --api-key-file, else TTSI_API_KEY; none: open. */
    private Access access() throws java.io.IOException {
        if (apiKey != null && apiKeyFile != null) throw new IllegalArgumentException("give --api-key or --api-key-file, not both");
        String key = apiKey;
        if (apiKeyFile != null) {
            if (!java.nio.file.Files.isRegularFile(apiKeyFile)) throw new IllegalArgumentException("--api-key-file " + apiKeyFile + ": file not found");
            key = java.nio.file.Files.readAllLines(apiKeyFile).stream().findFirst().orElse("").strip();
            if (key.isEmpty()) throw new IllegalArgumentException("--api-key-file " + apiKeyFile + ": the first line is empty (expected the key)");
        }
        if (key == null) key = System.getenv("TTSI_API_KEY");
        if (key != null && key.isBlank()) throw new IllegalArgumentException("the API key is empty (--api-key or TTSI_API_KEY)");
        return new Access(key == null ? null : key.strip(), key == null || metricsPublic, clientTtsi == null ? null : TtsiMode.of(clientTtsi, "--client-ttsi"),
                OptionChecks.atLeast("--max-adaptations", maxAdaptations, 0));
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
}
