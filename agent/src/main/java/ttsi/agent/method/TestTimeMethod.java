package ttsi.agent.method;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.model.AdaptableModel;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.ScoringModel;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * The paper's Algorithm 1 for one input, with its baselines as {@link Plan}s. {@link #run} is the algorithm: H
 * ({@link #estimate}) → select ({@link #selects}) → G ({@link #synthesize}) → T ({@link #adapt}) → {@link #answer} →
 * reset (closing the {@link Adaptation}); each step returns a record of what it did and how long it took. A plan
 * changes what a step does (who writes the data, whether T trains), never which steps run. {@code ttsi run} and the
 * Java API call {@link #run}; {@code ttsi serve} calls the same steps one by one, because it answers with the
 * request's own sampling settings, streamed, and resets once the response is sent. Every random choice derives from
 * the seed passed in.
 */
public final class TestTimeMethod {

    /** The plan, the prompt format, and the settings of H, G and the answer (T's are the adaptable model's own). */
    public record Config(Plan plan, PromptFormat format, UncertaintyEstimator.Options uncertainty, DataSynthesizer.Options synthesis,
                         Answering answering) {
        public static Config defaults(Variant v) {
            return defaults(v.plan);
        }

        public static Config defaults(Plan p) {
            return new Config(p, PromptFormat.NATIVE, UncertaintyEstimator.Options.defaults(), DataSynthesizer.Options.defaults(), Answering.defaults());
        }

        public Config withPlan(Plan p) {
            return new Config(p, format, uncertainty, synthesis, answering);
        }

        public Config withSteps(UncertaintyEstimator.Options h, DataSynthesizer.Options g) {
            return new Config(plan, format, h, g, answering);
        }
    }

    /**
     * One input as the steps see it: its conversation and tools, its gold answer (read by the gold upper bound alone)
     * and the prompt the model answers it from (with the pool's demonstrations when the plan shows them).
     */
    public record Input(List<Message> conversation, List<ToolSpec> tools, List<ToolCall> gold, List<Message> prompt) {}

    /** H's record: its verdict on the input. */
    public record Estimate(Uncertainty uncertainty, double seconds) {}

    /**
     * G's record: who wrote the training pairs D_i, the pairs as conversations in the input's context ({@code examples}),
     * what the generator wrote (every raw generation, the valid pairs, why others were rejected; null when no model
     * was asked: gold or no data), and the generator's fault when it failed (then there are no pairs).
     */
    public record Synthesis(Plan.Data source, List<PromptFormat.Demo> examples, DataSynthesizer.Result generated, RuntimeException failure,
                            double seconds) {
        /** The generated (query, calls) pairs (none for gold). */
        public List<DataSynthesizer.Pair> pairs() {
            return generated == null ? List.of() : generated.pairs();
        }
    }

    /**
     * T's record, and what answers the input: the model (the adapter over the base weights when T trained one, else
     * the base model) and the prompt (with the synthetic pairs as demonstrations when the plan shows them). Closing
     * it drops the adapter: the reset to θ0.
     */
    public record Adaptation(LanguageModel model, List<Message> prompt, AdaptableModel.Adapted adapter, double seconds) implements AutoCloseable {
        public boolean trained() {
            return adapter != null;
        }

        /** The loss at each optimizer step (none when not trained). */
        public double[] losses() {
            return adapter == null ? new double[0] : adapter.losses();
        }

        @Override
        public void close() {
            if (adapter != null) adapter.close();
        }
    }

    /** The answer's record: each raw output, parsed, and which one is final (the first, or the majority's). */
    public record Answer(List<String> outputs, List<List<ToolCall>> parsedCalls, List<String> parseErrors, int chosen, double seconds) {}

    /** The start of the rejection recorded when TT-D's teacher failed on an input. */
    public static final String TEACHER_FAILED = "teacher failed: ";

    private final LanguageModel student;
    private final AdaptableModel adaptable; // the student when it can be adapted (T), else null
    private final LanguageModel teacher;
    private final Config config;
    private final Plan plan;
    private final UncertaintyEstimator estimator;
    private final DataSynthesizer synthesizer;

    /** teacher: the generator when the plan's data is the teacher's (TT-D), else unused (may be null). */
    public TestTimeMethod(LanguageModel student, LanguageModel teacher, Config config) {
        this.plan = config.plan();
        if (plan.data() == Plan.Data.TEACHER && teacher == null) {
            throw new IllegalArgumentException(plan.name() + " needs a teacher model (--teacher-url/--teacher-model)");
        }
        this.adaptable = student instanceof AdaptableModel a ? a : null;
        if (plan.trains() && adaptable == null) throw new IllegalArgumentException(plan.name() + " needs a model that can be adapted (an embedded model)");
        this.student = student;
        this.teacher = teacher;
        this.config = config;
        this.estimator = new UncertaintyEstimator(config.uncertainty());
        this.synthesizer = new DataSynthesizer(config.synthesis());
    }

    public Config config() {
        return config;
    }

    /** Algorithm 1 on one input. randomlyDrawn: the run's random draw for this input (for a RANDOM selection). */
    public SampleOutcome run(Input x, boolean randomlyDrawn, long seed) {
        Estimate h = estimate(x, seed);                                                // H: u(x) = p(1) − p(2)
        if (!selects(h, randomlyDrawn)) {                                              // not selected: answer with θ0
            return SampleOutcome.of(h, null, null, answer(x, student, x.prompt(), seed));
        }
        Synthesis g = synthesize(x, seed);                                             // G: D_i, K pairs like x
        try (Adaptation t = adapt(x, g, seed)) {                                       // T: θ_i* from θ0 on D_i
            return SampleOutcome.of(h, g, t, answer(x, t.model(), t.prompt(), seed));  // ŷ = M(x; θ_i*)
        }                                                                              // reset θ_i* → θ0
    }

    /**
     * An input: a conversation, its tools and its gold answer (read by the gold upper bound alone; empty for a
     * request), with the pool's demonstrations (ICL) in its prompt when the plan shows them.
     */
    public Input input(List<Message> conversation, List<ToolSpec> tools, List<ToolCall> gold, List<PromptFormat.Demo> poolDemos) {
        List<PromptFormat.Demo> shown = plan.demos() == Plan.Demos.POOL ? poolDemos : List.of();
        return new Input(List.copyOf(conversation), List.copyOf(tools), List.copyOf(gold), config.format().messages(conversation, tools, shown));
    }

    /** The input of a request: its conversation and tools (no gold answer, no pool). */
    public Input input(List<Message> conversation, List<ToolSpec> tools) {
        return input(conversation, tools, List.of(), List.of());
    }

    /** H: how sure the student is which of the input's tools to call (certain, unscored, when it cannot score). */
    public Estimate estimate(Input x, long seed) {
        long t = System.nanoTime();
        Uncertainty u = student instanceof ScoringModel scorer
                ? estimator.estimate(scorer, config.format(), x.prompt(), x.tools(), seed)
                : Uncertainty.certain(x.tools().stream().map(ToolSpec::name).toList(), config.uncertainty().tau(), "model cannot score");
        return new Estimate(u, since(t));
    }

    /** Select: whether the plan goes on to G and T for this input, given H's verdict (and the caller's draw, for RANDOM). */
    public boolean selects(Estimate h, boolean randomlyDrawn) {
        return plan.selects(h.uncertainty().uncertain(), randomlyDrawn);
    }

    /**
     * G: a selected input's training pairs, written by the student (TT-SI) or the teacher (TT-D), which are never
     * shown the input's answer; for the gold upper bound, the input with its gold answer. A teacher that fails is
     * recorded, not thrown: one fault must not end a long run or fail a request, so the input is answered without
     * adaptation and the record says why ({@code synthesis.rejections} in results-seed-S.jsonl, serve's reason).
     */
    public Synthesis synthesize(Input x, long seed) {
        Plan.Data source = plan.data();
        return switch (source) {
            case NONE -> new Synthesis(source, List.of(), null, null, 0);
            case GOLD -> new Synthesis(source, List.of(new PromptFormat.Demo(x.conversation(), x.gold())), null, null, 0);
            case SELF, TEACHER -> generate(x, source, seed);
        };
    }

    private Synthesis generate(Input x, Plan.Data source, long seed) {
        long t = System.nanoTime();
        DataSynthesizer.Result r;
        try {
            r = synthesizer.synthesize(source == Plan.Data.TEACHER ? teacher : student, x.conversation(), x.tools(), seed);
        } catch (RuntimeException e) {
            if (source != Plan.Data.TEACHER) throw e;
            double s = since(t);
            return new Synthesis(source, List.of(), new DataSynthesizer.Result(List.of(), List.of(), List.of(TEACHER_FAILED + e.getMessage()), 0, s), e, s);
        }
        List<PromptFormat.Demo> examples = new ArrayList<>();
        for (DataSynthesizer.Pair p : r.pairs()) examples.add(new PromptFormat.Demo(synthesizer.trainingConversation(x.conversation(), p), p.calls()));
        return new Synthesis(source, examples, r, null, since(t));
    }

    /**
     * T: adapts to the input with G's pairs as the plan says: trains a fresh LoRA adapter over the base weights on
     * them, and/or shows them as demonstrations (TT-SI + ICL). Without pairs nothing changes: the base model answers.
     */
    public Adaptation adapt(Input x, Synthesis g, long seed) {
        PromptFormat f = config.format();
        List<Message> prompt = x.prompt();
        if (plan.demos() == Plan.Demos.SYNTHETIC && !g.pairs().isEmpty()) {
            List<PromptFormat.Demo> demos = new ArrayList<>();
            for (DataSynthesizer.Pair p : g.pairs()) demos.add(new PromptFormat.Demo(List.of(Message.user(p.query())), p.calls()));
            prompt = f.messages(x.conversation(), x.tools(), demos);
        }
        if (!plan.trains() || g.examples().isEmpty()) return new Adaptation(student, prompt, null, 0);
        long t = System.nanoTime();
        List<TrainingPair> pairs = new ArrayList<>();
        for (PromptFormat.Demo e : g.examples()) {
            pairs.add(new TrainingPair(f.messages(e.conversation(), x.tools(), List.of()), f.templateTools(x.tools()), f.answer(e.calls())));
        }
        AdaptableModel.Adapted adapter = adaptable.adapt(pairs, seed);
        return new Adaptation(adapter, prompt, adapter, since(t));
    }

    /** The answer of a model to a prompt: greedy (direct), or {@code samples} sampled answers (majority, pass@k), each parsed. */
    public Answer answer(Input x, LanguageModel model, List<Message> prompt, long seed) {
        long t = System.nanoTime();
        List<ToolSpec> tools = config.format().templateTools(x.tools());
        Answering a = config.answering();
        List<String> outputs = new ArrayList<>();
        if (a.mode() == InferenceMode.DIRECT) {
            outputs.add(model.generate(prompt, tools, GenerationOptions.greedy(a.maxTokens())).text());
        } else {
            for (int i = 0; i < a.samples(); i++) {
                GenerationOptions o = new GenerationOptions(a.maxTokens(), a.sampleTemperature(), 1, 0, seed * 7919 + i, List.of());
                outputs.add(model.generate(prompt, tools, o).text());
            }
        }
        double seconds = since(t);
        List<List<ToolCall>> parsed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String o : outputs) {
            var r = ToolCallParser.parse(o, x.tools());
            parsed.add(r.ok() ? r.calls() : List.of());
            errors.add(r.ok() ? null : r.error());
        }
        int chosen = a.mode() == InferenceMode.MAJORITY ? majority(parsed, errors) : 0;
        return new Answer(outputs, parsed, errors, chosen, seconds);
    }

    private static double since(long t) {
        return (System.nanoTime() - t) / 1e9;
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
