package ttsi.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.model.Model;

@Command(name = "logits", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Print the logits of every input position as JSON {\"logits\": [[...], ...]}.")
final class LogitsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder")
    Path model;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;

    @Option(names = "--tokens", required = true, description = "comma-separated token ids, e.g. 1,2,3")
    String tokens;

    @Override
    public Integer call() {
        int[] ids = Json.parseIds(tokens);
        if (ids.length == 0) throw new IllegalArgumentException("--tokens is empty");
        try (Model m = Model.load(model, dtypeOption.parsed())) {
            int v = m.config().vocabSize();
            float[] logits = m.decoder().logits(ids);
            float[][] rows = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) rows[t] = java.util.Arrays.copyOfRange(logits, t * v, (t + 1) * v);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("logits", rows);
            System.out.println(Json.write(out));
        }
        return 0;
    }
}
