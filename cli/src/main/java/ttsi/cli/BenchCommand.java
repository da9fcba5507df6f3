package ttsi.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ttsi.engine.format.DType;
import ttsi.engine.perf.EngineBench;

@Command(name = "bench", description = "Benchmarks. 'ttsi bench engine' measures prefill, decode and GFLOP/s on random weights with real shapes.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "what to benchmark: engine")
    String what;

    @Option(names = "--shape", defaultValue = "qwen2.5-0.5b", description = "qwen2.5-0.5b, qwen2.5-1.5b, llama-3.2-1b or a config.json path")
    String shape;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 weights")
    String dtype;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--prefill", defaultValue = "256", description = "prompt tokens")
    int prefill;

    @Option(names = "--decode", defaultValue = "32", description = "decode tokens after the prompt")
    int decode;

    @Option(names = "--train", defaultValue = "256", description = "tokens of the LoRA training step (0: skip)")
    int train;

    @Option(names = "--reps", defaultValue = "3", description = "repetitions; the best is reported")
    int reps;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    String format;

    @Override
    public Integer call() {
        if (!what.equals("engine")) throw new IllegalArgumentException("unknown benchmark '" + what + "' (expected: engine)");
        DType dt = switch (dtype.toLowerCase()) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got " + dtype);
        };
        Map<String, Object> r = EngineBench.run(new EngineBench.Options(shape, dt, threads, prefill, decode, train, reps));
        if (format.equals("json")) {
            System.out.println(Json.write(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-24s %s%n", k, v));
        }
        return 0;
    }
}
