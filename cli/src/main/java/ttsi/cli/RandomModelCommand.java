package ttsi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.tensor.DType;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.perf.EngineBench;

@Command(name = "random-model", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Write a checkpoint folder with seeded random weights for a real model's shapes, with a real tokenizer.",
        "The tokenizer and chat template files are copied from --tokenizer, so the whole pipeline (run, serve, "
                + "finetune) can be tried and timed without downloading weights."})
final class RandomModelCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, description = "qwen2.5-0.5b, qwen2.5-1.5b, llama-3.2-1b or a config.json path") String shape;
    @Option(names = "--tokenizer", required = true, description = "model folder to copy tokenizer and chat template files from") Path tokenizer;
    @Option(names = "--out", required = true, description = "checkpoint folder to write") Path out;
    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 weights") String dtype;
    @Option(names = "--std", defaultValue = "0.02", description = "standard deviation of the weights") double std;
    @Option(names = "--seed", defaultValue = "0", description = "seed of the weights") long seed;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--std", std);
        var json = EngineBench.shapeJson(shape);
        DType dt = DType.parse(dtype);
        RandomCheckpoint.write(out, json, dt, std, seed, tokenizer);
        System.err.println("wrote " + out);
        return 0;
    }
}
