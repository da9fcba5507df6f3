package ttsi.agent.method;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.Sample;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;

/**
 * The paper's Algorithm 1 for one input, with its baselines as variants: H (uncertainty) → G (synthesis) →
 * T (LoRA test-time training) → answer → reset. Every random choice derives from the seed passed in.
 */
public final class TestTimeMethod {

    public record Config(Variant variant, PromptFormat format, UncertaintyEstimator.Options uncertainty,
                         DataSynthesizer.Options synthesis, InferenceMode mode, int samples, double sampleTemperature,
                         int maxTokens) {
        public static Config defaults(Variant v) {
            return new Config(v, PromptFormat.NATIVE, UncertaintyEstimator.Options.defaults(), DataSynthesizer.Options.defaults(),
                    InferenceMode.DIRECT, 5, 0.7, 512);
        }
    }

    private final LanguageModel student;
    private final LanguageModel teacher;

    /** The start of the rejection recorded when TT-D's teacher failed on an input. */
    public static final String TEACHER_FAILED = "teacher failed: ";
    private final Config config;
    private final UncertaintyEstimator estimator;
    private final DataSynthesizer synthesizer;

    /** teacher: the generator for TT-D (null otherwise). */
    public TestTimeMethod(LanguageModel student, LanguageModel teacher, Config config) {
        if (config.variant() == Variant.TT_D && teacher == null) throw new IllegalArgumentException("tt-d needs a teacher model (--teacher-url/--teacher-model)");
        if (config.variant().trains && !student.canAdapt()) throw new IllegalArgumentException(config.variant().key + " needs a model that can be adapted (an embedded model)");
        this.student = student;
        this.teacher = teacher;
        this.config = config;
        this.estimator = new UncertaintyEstimator(config.uncertainty());
        this.synthesizer = new DataSynthesizer(config.synthesis());
    }

    public Config config() {
        return config;
    }

    /**
     * Runs the method on one input. demos: ICL demonstrations (for ICL); randomlyDrawn: the run's random draw for
     * this input (for RANDOM).
     */
    public SampleOutcome run(Sample s, List<PromptFormat.Demo> demos, boolean randomlyDrawn, long seed) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        PromptFormat f = config.format();
        List<PromptFormat.Demo> shown = config.variant() == Variant.ICL ? demos : List.of();
        List<Message> messages = f.messages(s.conversation(), s.tools(), shown);

        // H
        long t = System.nanoTime();
        Uncertainty u = student.canScore()
                ? estimator.estimate(student, f, messages, s.tools(), seed)
                : Uncertainty.certain(s.tools().stream().map(x -> x.name()).toList(), config.uncertainty().tau(), "model cannot score");
        seconds.put("score", (System.nanoTime() - t) / 1e9);
        boolean selected = config.variant().selects(u.uncertain(), randomlyDrawn);

        // G
        DataSynthesizer.Result synthesis = null;
        if (selected && config.variant().synthesizes) {
            t = System.nanoTime();
            LanguageModel generator = config.variant() == Variant.TT_D ? teacher : student;
            try {
                synthesis = synthesizer.synthesize(generator, s.conversation(), s.tools(), seed);
            } catch (RuntimeException e) {
                if (generator != teacher) throw e;
                // A teacher fault on one input must not end a long run: the input is answered without adaptation and
                // its synthesis records why (results-seed-S.jsonl, "synthesis.rejections").
                synthesis = new DataSynthesizer.Result(List.of(), List.of(), List.of(TEACHER_FAILED + e.getMessage()), 0,
                        (System.nanoTime() - t) / 1e9);
            }
            seconds.put("synthesize", (System.nanoTime() - t) / 1e9);
        }

        // T, answer, reset
        double[] losses = new double[0];
        boolean adapted = false;
        List<String> outputs;
        if (selected && config.variant().trains) {
            List<TrainingPair> pairs = new ArrayList<>();
            if (config.variant() == Variant.GOLD) {
                pairs.add(new TrainingPair(messages, f.templateTools(s.tools()), f.answer(s.gold())));
            } else {
                for (DataSynthesizer.Pair p : synthesis.pairs()) {
                    pairs.add(new TrainingPair(f.messages(synthesizer.trainingConversation(s.conversation(), p), s.tools(), List.of()),
                            f.templateTools(s.tools()), f.answer(p.calls())));
                }
            }
            if (!pairs.isEmpty()) {
                t = System.nanoTime();
                try (LanguageModel.Adapted a = student.adapt(pairs, seed)) {
                    seconds.put("train", (System.nanoTime() - t) / 1e9);
                    losses = a.losses();
                    adapted = true;
                    t = System.nanoTime();
                    outputs = answer(a, messages, s, seed);
                    seconds.put("answer", (System.nanoTime() - t) / 1e9);
                }
                return outcome(s, u, true, synthesis, losses, outputs, seconds);
            }
        }
        List<Message> prompt = messages;
        if (selected && config.variant() == Variant.TT_SI_ICL && synthesis != null && !synthesis.pairs().isEmpty()) {
            List<PromptFormat.Demo> synthetic = new ArrayList<>();
            for (DataSynthesizer.Pair p : synthesis.pairs()) synthetic.add(new PromptFormat.Demo(List.of(Message.user(p.query())), p.calls()));
            prompt = f.messages(s.conversation(), s.tools(), synthetic);
        }
        t = System.nanoTime();
        outputs = answer(student, prompt, s, seed);
        seconds.put("answer", (System.nanoTime() - t) / 1e9);
        return outcome(s, u, adapted, synthesis, losses, outputs, seconds);
    }

    private List<String> answer(LanguageModel m, List<Message> messages, Sample s, long seed) {
        var tools = config.format().templateTools(s.tools());
        List<String> out = new ArrayList<>();
        if (config.mode() == InferenceMode.DIRECT) {
            out.add(m.generate(messages, tools, GenerationOptions.greedy(config.maxTokens())).text());
        } else {
            for (int i = 0; i < config.samples(); i++) {
                GenerationOptions o = new GenerationOptions(config.maxTokens(), config.sampleTemperature(), 1, 0, seed * 7919 + i, List.of());
                Completion c = m.generate(messages, tools, o);
                out.add(c.text());
            }
        }
        return out;
    }

    private SampleOutcome outcome(Sample s, Uncertainty u, boolean adapted, DataSynthesizer.Result synthesis, double[] losses,
                                  List<String> outputs, Map<String, Double> seconds) {
        List<List<ToolCall>> parsed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String o : outputs) {
            var r = ToolCallParser.parse(o, s.tools());
            parsed.add(r.ok() ? r.calls() : List.of());
            errors.add(r.ok() ? null : r.error());
        }
        int chosen = config.mode() == InferenceMode.MAJORITY ? majority(parsed, errors) : 0;
        return new SampleOutcome(u, adapted, synthesis, losses, outputs, parsed, errors, parsed.get(chosen), errors.get(chosen), seconds);
    }

    /** Index of the most common parsed answer (ties: the earliest); unparsable answers vote for nothing. */
    static int majority(List<List<ToolCall>> parsed, List<String> errors) {
        Map<String, Integer> votes = new HashMap<>();
        int best = 0, bestVotes = -1;
        for (int i = 0; i < parsed.size(); i++) {
            if (errors.get(i) != null) continue;
            String key = canonical(parsed.get(i));
            int v = votes.merge(key, 1, Integer::sum);
            if (v > bestVotes) {
                bestVotes = v;
                best = i;
            }
        }
        // earliest answer among those with the most votes
        for (int i = 0; i < parsed.size(); i++) {
            if (errors.get(i) == null && votes.get(canonical(parsed.get(i))) == bestVotes) return i;
        }
        return best;
    }

    /** Order-insensitive key of a call list (parallel calls vote together in any order). */
    static String canonical(List<ToolCall> calls) {
        List<String> keys = new ArrayList<>();
        for (ToolCall c : calls) keys.add(c.name() + Json.compact(sorted(c.arguments())));
        keys.sort(null);
        return String.join("|", keys);
    }

    private static com.fasterxml.jackson.databind.JsonNode sorted(com.fasterxml.jackson.databind.JsonNode n) {
        if (n == null || !n.isObject()) return n;
        var o = Json.object();
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String k : names) o.set(k, sorted(n.get(k)));
        return o;
    }
}
