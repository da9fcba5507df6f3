package ttsi.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.model.Model;
import ttsi.engine.train.LoraAdapter;
import ttsi.engine.train.Backprop;

@Command(name = "lora-grad", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Mean cross-entropy of tokens P.. given the ones before, and the gradient norms of each LoRA A and B, as JSON.")
final class LoraGradCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder")
    Path model;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;

    @Option(names = "--adapter", required = true, description = "PEFT LoRA adapter folder")
    Path adapter;

    @Option(names = "--tokens", required = true, description = "comma-separated token ids")
    String tokens;

    @Option(names = "--prompt-len", defaultValue = "1", description = "loss on tokens from this index on (1: every token after the first)")
    int promptLen;

    @Override
    public Integer call() {
        int[] ids = Json.parseIds(tokens);
        if (promptLen < 1 || promptLen >= ids.length) {
            throw new IllegalArgumentException("--prompt-len must be in [1, " + (ids.length - 1) + "] for " + ids.length + " tokens, got " + promptLen);
        }
        try (Model m = Model.load(model, dtypeOption.parsed())) {
            LoraAdapter ad = LoraAdapter.loadPeft(adapter, m.config());
            boolean[] target = new boolean[ids.length];
            for (int t = promptLen; t < ids.length; t++) target[t] = true;
            Backprop.Loss loss = new Backprop(m.decoder(), ad).forwardBackward(ids, target, 1f / (ids.length - promptLen));
            Map<String, Object> norms = new LinkedHashMap<>();
            for (LoraAdapter.Module mod : ad.modules()) norms.put(mod.path() + ".weight", new double[] {norm(mod.gradA), norm(mod.gradB)});
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("loss", loss.mean());
            out.put("grad_norm", norms);
            System.out.println(Json.write(out));
        }
        return 0;
    }

    static double norm(float[] a) {
        double s = 0;
        for (float v : a) s += (double) v * v;
        return Math.sqrt(s);
    }
}
