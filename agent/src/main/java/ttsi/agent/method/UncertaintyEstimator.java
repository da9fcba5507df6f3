package ttsi.agent.method;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.ScoringModel;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * H: how sure the model is which tool to call. Candidates are the sample's tools; each is scored by the
 * log-probability, given the full prompt, of the tokens that name it (summed, or averaged): the answer calling it
 * is rendered as the model writes it, tokenized whole, and the tokens from the one covering the name's first char
 * through the one covering the char that ends the name (its closing quote, so that a name is not scored as the
 * start of a longer one) are scored. A token that runs past that char counts whole, as the model emits it (Qwen
 * writes the closing quote and the comma after it as one token, {@code ",}); no token the model would not write
 * there (a lone closing quote) is scored.
 */
public final class UncertaintyEstimator {

    /** What to do when a sample offers a single tool: call it certain (the paper), or compare sampled calls. */
    public enum SingleTool { CERTAIN, SAMPLED }

    public record Options(double tau, boolean mean, SingleTool singleTool, int samples) {
        public static Options defaults() {
            return new Options(0.95, false, SingleTool.CERTAIN, 5);
        }

        public Options withTau(double t) {
            return new Options(t, mean, singleTool, samples);
        }
    }

    private final Options options;

    public UncertaintyEstimator(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    public Uncertainty estimate(ScoringModel model, PromptFormat format, List<Message> messages, List<ToolSpec> tools, long seed) {
        List<String> names = new ArrayList<>(new LinkedHashSet<>(tools.stream().map(ToolSpec::name).toList()));
        List<ToolSpec> templateTools = format.templateTools(tools);
        if (names.size() < 2) {
            if (options.singleTool() == SingleTool.SAMPLED && !names.isEmpty()) return sampled(model, format, messages, tools, seed);
            return Uncertainty.certain(names, options.tau(), names.isEmpty() ? "no tools" : "single tool");
        }
        double[] scores = nameScores(model, format, messages, templateTools, names).stream().mapToDouble(NameScore::score).toArray();
        return Uncertainty.fromScores(names, scores, options.tau());
    }

    /** A candidate's score and the tokens it was scored on: those of its answer that cover the name and its closing quote. */
    public record NameScore(String name, TokenLogprobs tokens, double score) {}

    /**
     * Each named tool's score: the log-probability (sum or mean) of the tokens of its answer, tokenized whole, that
     * cover the name and the char after it (the closing quote).
     */
    public List<NameScore> nameScores(ScoringModel model, PromptFormat format, List<Message> messages, List<ToolSpec> templateTools,
                                      List<String> names) {
        List<PromptFormat.NamedCall> calls = new ArrayList<>();
        for (String n : names) calls.add(format.namedCall(model, messages, templateTools, n));
        int[] ends = calls.stream().mapToInt(c -> Math.min(c.text().length(), c.nameEnd() + 1)).toArray();
        List<TokenLogprobs> lps = model.scoreThrough(messages, templateTools, calls.stream().map(PromptFormat.NamedCall::text).toList(), ends);
        List<NameScore> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            PromptFormat.NamedCall c = calls.get(i);
            TokenLogprobs lp = lps.get(i);
            int first = lp.tokenAt(c.nameStart()), last = lp.tokenAt(ends[i] - 1);
            if (c.nameEnd() <= c.nameStart() || first < 0 || last < first) {
                throw new IllegalStateException("no scored tokens cover the tool name '" + names.get(i) + "' in " + c.text());
            }
            TokenLogprobs name = lp.slice(first, last + 1);
            double sum = name.sum();
            out.add(new NameScore(names.get(i), name, options.mean() ? sum / name.tokens().size() : sum));
        }
        return out;
    }

    /** One candidate tool: score distinct sampled answers as the candidates instead. */
    private Uncertainty sampled(ScoringModel model, PromptFormat format, List<Message> messages, List<ToolSpec> tools, long seed) {
        List<ToolSpec> templateTools = format.templateTools(tools);
        Set<String> answers = new LinkedHashSet<>();
        for (int i = 0; i < options.samples(); i++) {
            String text = model.generate(messages, templateTools, new GenerationOptions(256, 0.7, 1, 0, seed * 31 + i, List.of())).text();
            var parsed = ToolCallParser.parse(text, tools);
            if (parsed.ok()) answers.add(model.assistantText(messages, templateTools, format.answer(parsed.calls())));
        }
        List<String> cands = new ArrayList<>(answers);
        if (cands.size() < 2) return Uncertainty.certain(cands, options.tau(), "single tool, " + cands.size() + " distinct sampled call(s)");
        return Uncertainty.fromScores(cands, scores(model.score(messages, templateTools, cands)), options.tau());
    }

    /** Sum (or mean) of each continuation's log-probs after the tokens all continuations share (sampled answers). */
    double[] scores(List<TokenLogprobs> lps) {
        int common = commonPrefix(lps);
        double[] s = new double[lps.size()];
        for (int i = 0; i < s.length; i++) {
            double[] l = lps.get(i).logprobs();
            double sum = 0;
            for (int t = common; t < l.length; t++) sum += l[t];
            int n = l.length - common;
            s[i] = options.mean() && n > 0 ? sum / n : sum;
        }
        return s;
    }

    static int commonPrefix(List<TokenLogprobs> lps) {
        int common = Integer.MAX_VALUE;
        List<String> first = lps.getFirst().tokens();
        for (TokenLogprobs lp : lps) {
            int k = 0;
            while (k < first.size() && k < lp.tokens().size() && first.get(k).equals(lp.tokens().get(k))) k++;
            common = Math.min(common, k);
        }
        // Keep at least one token per candidate (a name may be a prefix of another).
        int shortest = lps.stream().mapToInt(l -> l.tokens().size()).min().orElse(0);
        return Math.min(common, Math.max(0, shortest - 1));
    }
}
