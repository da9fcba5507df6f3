package ttsi.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.model.Model;
import ttsi.engine.sample.Scorer;

@Command(name = "score", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Log-probabilities of continuations given a prompt (the prompt's KV cache is shared), as JSON.")
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder")
    Path model;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;

    @Option(names = "--prompt", required = true, description = "prompt text")
    String prompt;

    @Option(names = "--continuation", required = true, arity = "1..*", description = "one or more continuation texts")
    List<String> continuations;

    @Override
    public Integer call() {
        try (Model m = Model.load(model, dtypeOption.parsed())) {
            var tok = m.tokenizer();
            int[] p = tok.encode(prompt);
            List<int[]> conts = new ArrayList<>();
            for (String c : continuations) conts.add(tok.encode(c));
            List<Scorer.Score> scores = Scorer.score(m.decoder(), p, conts);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < conts.size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("continuation", continuations.get(i));
                r.put("tokens", conts.get(i));
                r.put("logprobs", scores.get(i).tokenLogprobs());
                r.put("sum", scores.get(i).sum());
                r.put("mean", scores.get(i).mean());
                rows.add(r);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("prompt_tokens", p.length);
            out.put("continuations", rows);
            System.out.println(Json.write(out));
        }
        return 0;
    }
}
