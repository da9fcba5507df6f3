package ttsi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.tensor.DType;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.LoraMerge;

@Command(name = "merge", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Merge a PEFT LoRA adapter into a model and write a plain Hugging Face checkpoint folder.",
        "Each adapted linear weight becomes W + scale·B·A (scale = lora_alpha/r, or lora_alpha/√r with rsLoRA), computed "
                + "in f32 and stored in --dtype; every other tensor is copied as it is. OUT gets config.json, model.safetensors "
                + "and the tokenizer, chat-template and generation-config files. Loading OUT gives the same weights, bit for bit, "
                + "as '--model MODEL --adapter ADAPTER' does in run and serve (without --dtype)."})
final class MergeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the base: a Hugging Face checkpoint folder") Path model;
    @Option(names = "--adapter", required = true, description = "a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)") Path adapter;
    @Option(names = "--out", required = true, description = "folder to write; must be new or empty") Path out;
    @Option(names = "--dtype", description = "store every tensor as bf16, f16 or f32 (default: each tensor's dtype in --model)") String dtype;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setGlobalThreads(OptionChecks.atLeast("--threads", threads, 1));
        DType dt = dtype == null ? null : storable(dtype);
        long t0 = System.nanoTime();
        LoraMerge.write(model, adapter, out, dt);
        System.err.printf("wrote %s: %s merged with %s (%.1f s)%n", out, model, adapter, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** A dtype safetensors can store: bf16, f16 or f32 (a merged folder is loaded as q8_0 with --dtype where a command loads it). */
    private static DType storable(String name) {
        DType d;
        try {
            d = DType.parse(name);
        } catch (IllegalArgumentException e) {
            d = null;
        }
        if (d == null || !d.elementWise()) {
            throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got " + name
                    + (d == null ? "" : " (safetensors stores no " + name + "; load the merged folder with --dtype " + name + " instead)"));
        }
        return d;
    }
}
