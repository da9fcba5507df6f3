package ttsi.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.model.Model;
import ttsi.engine.sample.Generator;
import ttsi.engine.sample.SamplingParams;
import ttsi.engine.tensor.Parallel;

@Command(name = "generate", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Generate text after a prompt (or a chat rendered through the model's template), streamed to stdout.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder")
    Path model;
    @picocli.CommandLine.Mixin DtypeOption dtypeOption;

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--max-tokens", defaultValue = "256", description = "most tokens to generate")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "0 = off")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "1 = off")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed")
    long seed;

    @Option(names = "--stop", description = "stop string, repeatable (default: none; the model's end-of-turn tokens always stop)")
    List<String> stop;

    @Option(names = "--threads", description = "kernel threads (default: all cores)")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object (text, ids, finish_reason, timings) instead of streaming")
    boolean json;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--max-tokens", maxTokens, 1);
        OptionChecks.nonNegative("--temperature", temperature);
        OptionChecks.atLeast("--top-k", topK, 0);
        OptionChecks.inRange("--top-p", topP, Double.MIN_VALUE, 1);
        if (threads != null) OptionChecks.atLeast("--threads", threads, 1);
        if (threads != null) Parallel.setGlobalThreads(threads);
        try (Model m = Model.load(model, dtypeOption.parsed())) {
            String prompt = source.chat != null ? ChatFiles.render(model, source.chat) : source.prompt;
            int[] ids = m.tokenizer().encode(prompt, source.chat == null);
            SamplingParams p = new SamplingParams(temperature, topK, topP, seed, maxTokens, m.stopIds(), stop);
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            Generator.Generation g = Generator.generate(m.decoder(), m.tokenizer(), ids, p, json ? null : out::print);
            if (json) {
                var r = new java.util.LinkedHashMap<String, Object>();
                r.put("text", g.text());
                r.put("ids", g.ids());
                r.put("finish_reason", g.finishReason());
                r.put("prompt_tokens", g.promptTokens());
                r.put("completion_tokens", g.completionTokens());
                r.put("prefill_s", g.prefillNanos() / 1e9);
                r.put("decode_s", g.decodeNanos() / 1e9);
                out.println(Json.write(r));
            } else {
                out.println();
                System.err.printf("[%d prompt tokens, %d generated, %s; prefill %.2f s, decode %.1f tok/s]%n", g.promptTokens(),
                        g.completionTokens(), g.finishReason(), g.prefillNanos() / 1e9, g.completionTokens() / Math.max(1e-9, g.decodeNanos() / 1e9));
            }
        }
        return 0;
    }

    static final class Source {
        @Option(names = "--prompt", required = true, description = "prompt text")
        String prompt;

        @Option(names = "--chat", required = true, description = "chat JSON file {\"messages\": [...], \"tools\": [...]}")
        Path chat;
    }
}
