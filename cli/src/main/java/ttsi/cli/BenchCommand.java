package ttsi.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.tensor.DType;
import ttsi.engine.tensor.Parallel;
import ttsi.server.ServeBench;
import ttsi.server.ServeOptions;
import ttsi.server.TinyCheckpoint;
import ttsi.server.TtsiServer;
import ttsi.engine.perf.EngineBench;

@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Benchmarks of the engine (speed on random weights) and of a ttsi server under load.",
        "'ttsi bench engine' measures prefill, decode and GFLOP/s on random weights with real shapes.",
        "'ttsi bench serve' load-tests ttsi serve on loopback: --requests from --clients concurrent clients against a "
                + "server started here (on --model, else a tiny random model with Qwen2.5's tokenizer) or at --url; reports "
                + "throughput, latency percentiles and 429s."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WHAT", description = "what to benchmark: engine or serve")
    String what;

    @Option(names = "--shape", defaultValue = "qwen2.5-0.5b", description = "qwen2.5-0.5b, qwen2.5-1.5b, llama-3.2-1b or a config.json path")
    String shape;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16, f32 or q8_0 weights")
    String dtype;

    @Option(names = "--threads", defaultValue = "2", description = "kernel threads")
    int threads;

    @Option(names = "--prefill", defaultValue = "256", description = "prompt tokens")
    int prefill;

    @Option(names = "--decode", defaultValue = "32", description = "decode tokens after the prompt")
    int decode;
    @Option(names = "--decode-context", defaultValue = "-1", description = "prompt tokens kept in the cache before decoding "
            + "(default -1: the whole prompt; 0: decode from an empty cache, as llama-bench's tg test does)")
    int decodeContext;

    @Option(names = "--train", defaultValue = "256", description = "tokens of the LoRA training step (0: skip)")
    int train;
    @Option(names = "--train-targets", defaultValue = "0", description = "loss on the last N tokens of the training step, like an SFT answer (0: every token)")
    int trainTargets;

    @Option(names = "--profile", description = "engine: also the time per op class of the prefill and decode (projections, attention, norms, "
            + "rotary, LM head ...), averaged over the reps; the kernels run timed, so the totals are a little slower")
    boolean profile;
    @Option(names = "--reps", defaultValue = "3", description = "repetitions; the best is reported")
    int reps;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    String format;

    @Option(names = "--model", description = "serve: checkpoint folder to serve (default: a tiny random model with Qwen2.5's tokenizer)")
    Path model;

    @Option(names = "--url", description = "serve: base URL of a running server on loopback to load-test (default: start one here)")
    String url;

    @Option(names = "--requests", defaultValue = "200", description = "serve: requests in all")
    int requests;

    @Option(names = "--clients", defaultValue = "16", description = "serve: concurrent clients")
    int clients;

    @Option(names = "--queue", defaultValue = "16", description = "serve: the started server's queue (admitted requests)")
    int queue;

    @Option(names = "--max-tokens", defaultValue = "16", description = "serve: completion tokens per request")
    int maxTokens;

    @Option(names = "--stream-share", defaultValue = "0.25", description = "serve: share of streamed requests")
    double streamShare;

    @Option(names = "--retry-429", defaultValue = "true", fallbackValue = "true", arity = "0..1", showDefaultValue = CommandLine.Help.Visibility.ALWAYS,
            description = "serve: a client that gets 429 waits the Retry-After and sends again (else it moves on)")
    boolean retry429;

    @Option(names = "--warmup", defaultValue = "4", description = "serve: untimed requests first")
    int warmup;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--threads", threads, 1);
        OptionChecks.atLeast("--prefill", prefill, 1);
        OptionChecks.atLeast("--decode", decode, 0);
        OptionChecks.inRange("--decode-context", decodeContext, -1, prefill);
        OptionChecks.atLeast("--train", train, 0);
        OptionChecks.atLeast("--train-targets", trainTargets, 0);
        OptionChecks.atLeast("--reps", reps, 1);
        OptionChecks.atLeast("--requests", requests, 1);
        OptionChecks.atLeast("--clients", clients, 1);
        OptionChecks.atLeast("--queue", queue, 1);
        OptionChecks.atLeast("--max-tokens", maxTokens, 1);
        OptionChecks.inRange("--stream-share", streamShare, 0, 1);
        OptionChecks.atLeast("--warmup", warmup, 0);
        if (what.equals("serve")) return serve();
        if (!what.equals("engine")) throw new IllegalArgumentException("unknown benchmark '" + what + "' (expected: engine or serve)");
        DType dt = DType.parse(dtype);
        // Read by OpProfile when its class loads, before the first forward pass.
        if (profile) System.setProperty("ttsi.profile", "true");
        Map<String, Object> r = EngineBench.run(new EngineBench.Options(shape, dt, threads, prefill, decode, train, trainTargets, reps, decodeContext));
        print(r);
        return 0;
    }

    private void print(Map<String, Object> r) {
        if (format.equals("json")) {
            System.out.println(Json.write(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-30s %s%n", k, v));
        }
    }

    private int serve() throws Exception {
        Parallel.setGlobalThreads(threads);
        if (url != null) {
            print(ServeBench.run(new ServeBench.Options(url, null, requests, clients, maxTokens, streamShare, Duration.ofMinutes(5), retry429, warmup)).toMap());
            return 0;
        }
        Path tmp = null;
        Path dir = model;
        if (dir == null) {
            Path tok = TinyCheckpoint.defaultTokenizerDir();
            if (tok == null) throw new IllegalArgumentException("no --model and no shared/models/Qwen2.5-0.5B-Instruct for the tiny model's tokenizer");
            tmp = Files.createTempDirectory("ttsi-bench-serve");
            dir = TinyCheckpoint.write(tmp.resolve("tiny"), tok);
        }
        String name = dir.getFileName().toString();
        try (EmbeddedModel m = EmbeddedModel.load(dir);
             TtsiServer server = new TtsiServer(ServeOptions.defaults(0, name).withQueue(queue), m, null).start()) {
            ServeBench.Report r = ServeBench.run(new ServeBench.Options(server.baseUrl(), name, requests, clients, maxTokens, streamShare, Duration.ofMinutes(5), retry429, warmup));
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("model", model == null ? "tiny random (hidden 16, 1 layer, Qwen2.5 vocabulary)" : name);
            out.put("queue", queue);
            out.put("max_tokens", maxTokens);
            out.put("threads", threads);
            out.put("retry_429", retry429);
            out.putAll(r.toMap());
            print(out);
        } finally {
            if (tmp != null) {
                try (var walk = Files.walk(tmp)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return 0;
    }
}
