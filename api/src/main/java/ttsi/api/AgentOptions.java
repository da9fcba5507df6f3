package ttsi.api;

import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.Plan;
import ttsi.agent.method.TestTimeMethod;
import ttsi.agent.method.Variant;
import ttsi.agent.model.GenerationOptions;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * How the agent answers. {@link #defaults()} are the project's own defaults, the same as {@code ttsi run}'s: the
 * method's ({@code TestTimeMethod.Config.defaults}, {@code UncertaintyEstimator.Options.defaults()},
 * {@code DataSynthesizer.Options.defaults()}: τ 0.95, K 1, 3 synthesis attempts at temperature 0.7, 512 tokens)
 * and the engine's ({@code LoraConfig.defaults()}: r 8, α 16, all linear layers; {@code TrainConfig.paperDefaults()}:
 * 5 epochs, lr 1e-4, cosine with 3% warm-up, batch 1). Change one setting with the {@code with...} methods.
 *
 * @param mode when to adapt: {@link Mode#AUTO} by default
 * @param tau uncertainty threshold in [0, 1]: a request is uncertain when the top-2 margin is below it
 * @param k synthetic pairs per adapted request
 * @param maxAttempts synthesis attempts per request
 * @param synthesisTemperature sampling temperature of the generator
 * @param synthesisMaxTokens token limit of each synthesis generation
 * @param maxTokens token limit of the answer (greedy)
 * @param lora LoRA settings of the test-time adapter
 * @param training optimisation settings of test-time training
 * @param teacher the TT-D teacher, or null for self-synthesis (TT-SI)
 * @param seed seeds every random choice (synthesis sampling, LoRA initialisation, data order); the same request
 *     with the same seed gets the same answer
 */
public record AgentOptions(Mode mode, double tau, int k, int maxAttempts, double synthesisTemperature, int synthesisMaxTokens,
                           int maxTokens, LoraConfig lora, TrainConfig training, Teacher teacher, long seed) {

    public AgentOptions {
        if (mode == null) throw new IllegalArgumentException("mode: expected off, auto or force, got null");
        if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("tau: must be in [0, 1], got " + tau);
        if (k < 1) throw new IllegalArgumentException("k: must be at least 1, got " + k);
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts: must be at least 1, got " + maxAttempts);
        if (!(synthesisTemperature >= 0)) throw new IllegalArgumentException("synthesisTemperature: must be >= 0, got " + synthesisTemperature);
        if (synthesisMaxTokens < 1) throw new IllegalArgumentException("synthesisMaxTokens: must be at least 1, got " + synthesisMaxTokens);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens: must be at least 1, got " + maxTokens);
        if (lora == null) throw new IllegalArgumentException("lora: must not be null (LoraConfig.defaults() is the default)");
        if (training == null) throw new IllegalArgumentException("training: must not be null (TrainConfig.paperDefaults() is the default)");
    }

    /** The project's defaults (see the class comment): AUTO, no teacher, seed 0. */
    public static AgentOptions defaults() {
        TestTimeMethod.Config m = TestTimeMethod.Config.defaults(Variant.TT_SI);
        GenerationOptions g = m.synthesis().generation();
        return new AgentOptions(Mode.AUTO, m.uncertainty().tau(), m.synthesis().k(), m.synthesis().maxAttempts(), g.temperature(),
                g.maxTokens(), m.answering().maxTokens(), LoraConfig.defaults(), TrainConfig.paperDefaults(), null, 0);
    }

    public AgentOptions withMode(Mode m) {
        return new AgentOptions(m, tau, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, training, teacher, seed);
    }

    public AgentOptions withTau(double t) {
        return new AgentOptions(mode, t, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, training, teacher, seed);
    }

    public AgentOptions withK(int pairs) {
        return new AgentOptions(mode, tau, pairs, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, training, teacher, seed);
    }

    public AgentOptions withMaxAttempts(int n) {
        return new AgentOptions(mode, tau, k, n, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, training, teacher, seed);
    }

    public AgentOptions withSynthesisTemperature(double t) {
        return new AgentOptions(mode, tau, k, maxAttempts, t, synthesisMaxTokens, maxTokens, lora, training, teacher, seed);
    }

    public AgentOptions withSynthesisMaxTokens(int n) {
        return new AgentOptions(mode, tau, k, maxAttempts, synthesisTemperature, n, maxTokens, lora, training, teacher, seed);
    }

    public AgentOptions withMaxTokens(int n) {
        return new AgentOptions(mode, tau, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, n, lora, training, teacher, seed);
    }

    public AgentOptions withLora(LoraConfig l) {
        return new AgentOptions(mode, tau, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, l, training, teacher, seed);
    }

    /** LoRA rank and alpha (as {@code ttsi run --rank --alpha}); the other LoRA settings stay. */
    public AgentOptions withRank(int r, double alpha) {
        return withLora(new LoraConfig(r, alpha, lora.dropout(), lora.useRslora(), lora.targetModules(), lora.seed()));
    }

    public AgentOptions withTraining(TrainConfig t) {
        return new AgentOptions(mode, tau, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, t, teacher, seed);
    }

    /** Training epochs (as {@code ttsi run --epochs}). */
    public AgentOptions withEpochs(int e) {
        return withTraining(training.withEpochs(e));
    }

    /** Learning rate (as {@code ttsi run --lr}). */
    public AgentOptions withLearningRate(double lr) {
        return withTraining(training.withLearningRate(lr));
    }

    /** A TT-D teacher (null: none, self-synthesis). */
    public AgentOptions withTeacher(Teacher t) {
        return new AgentOptions(mode, tau, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, training, t, seed);
    }

    public AgentOptions withTeacher(String baseUrl, String model) {
        return withTeacher(new Teacher(baseUrl, model));
    }

    public AgentOptions withSeed(long s) {
        return new AgentOptions(mode, tau, k, maxAttempts, synthesisTemperature, synthesisMaxTokens, maxTokens, lora, training, teacher, s);
    }

    /**
     * The method's plan for a mode: off = base (adapts nothing; H still runs, so the answer reports the uncertainty),
     * auto = tt-si on uncertain requests (tt-d with a teacher), force = every request, self- or teacher-written.
     */
    Plan plan(Mode m) {
        return m == Mode.OFF ? Variant.BASE.plan : Plan.adaptation(m == Mode.FORCE, teacher != null);
    }

    /** The method's configuration for a mode: its defaults with these options' settings. */
    TestTimeMethod.Config methodConfig(Mode m) {
        TestTimeMethod.Config d = TestTimeMethod.Config.defaults(plan(m));
        return new TestTimeMethod.Config(d.plan(), d.format(), d.uncertainty().withTau(tau),
                DataSynthesizer.Options.sampling(k, maxAttempts, synthesisMaxTokens, synthesisTemperature), d.answering().withMaxTokens(maxTokens));
    }
}
