package ttsi.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import ttsi.agent.backend.OpenAiException;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.method.Uncertainty;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * TT-SI for one request, as {@code ttsi run} does it for one input: H (uncertainty over the request's tools) →
 * G (K synthetic pairs from the model itself, or from the teacher for TT-D) → T (LoRA on a fresh adapter). The
 * caller answers with the adapted model and closes it (the reset). The adapter belongs to the request alone.
 */
final class SelfImprovement {
    /** What happened; adapted is null when the request was not adapted. */
    record Outcome(TtsiMode mode, Uncertainty uncertainty, boolean selected, String reason, int pairs, int rejected, double[] losses,
                   Map<String, Double> seconds, String generator, LanguageModel.Adapted adapted) {

        Outcome withReason(String r) {
            return new Outcome(mode, uncertainty, selected, r, pairs, rejected, losses, seconds, generator, adapted);
        }

        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("mode", mode.key());
            o.put("adapted", adapted != null);
            if (uncertainty != null) {
                o.put("uncertain", uncertainty.uncertain());
                o.put("margin", uncertainty.margin());
                o.put("uncertainty", 1 - uncertainty.margin());
                o.put("tau", uncertainty.tau());
                if (uncertainty.top() != null) o.put("top_tool", uncertainty.top());
                ObjectNode p = o.putObject("probabilities");
                for (int i = 0; i < uncertainty.candidates().size() && i < uncertainty.probabilities().length; i++) {
                    p.put(uncertainty.candidates().get(i), uncertainty.probabilities()[i]);
                }
            } else {
                o.putNull("uncertain");
                o.putNull("margin");
                o.putNull("uncertainty");
            }
            if (reason != null) o.put("reason", reason);
            if (generator != null) o.put("generator", generator);
            o.put("pairs", pairs);
            if (rejected > 0) o.put("rejected", rejected);
            if (losses != null && losses.length > 0) {
                var a = o.putArray("losses");
                for (double l : losses) a.add(l);
            }
            ObjectNode s = o.putObject("seconds");
            seconds.forEach(s::put);
            return o;
        }
    }

    private final ServeOptions options;
    private final LanguageModel teacher;
    private final UncertaintyEstimator estimator;
    private final DataSynthesizer synthesizer;
    private final java.util.concurrent.Semaphore adaptations; // permits for adaptations in progress

    SelfImprovement(ServeOptions options, LanguageModel teacher) {
        this.options = options;
        int max = options.access().maxAdaptations();
        this.adaptations = new java.util.concurrent.Semaphore(max > 0 ? max : Integer.MAX_VALUE);
        this.teacher = teacher;
        this.estimator = new UncertaintyEstimator(new UncertaintyEstimator.Options(options.tau(), false, UncertaintyEstimator.SingleTool.CERTAIN, 5));
        this.synthesizer = new DataSynthesizer(new DataSynthesizer.Options(options.k(), options.maxAttempts(),
                new GenerationOptions(options.synthesisMaxTokens(), options.synthesisTemperature(), 0.95, 0, 0, List.of())));
    }

    Outcome run(QueuedModel model, List<Message> messages, List<ToolSpec> tools, TtsiMode mode, long seed, Cancel cancel) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        if (mode == TtsiMode.OFF) return new Outcome(mode, null, false, "off", 0, 0, null, seconds, null, null);
        long t = System.nanoTime();
        model.stage("score");
        Uncertainty u = model.canScore()
                ? estimator.estimate(model, PromptFormat.NATIVE, messages, tools, seed)
                : Uncertainty.certain(tools.stream().map(ToolSpec::name).toList(), options.tau(), "model cannot score");
        seconds.put("score", (System.nanoTime() - t) / 1e9);
        boolean selected = mode == TtsiMode.FORCE || u.uncertain();
        if (!selected) return new Outcome(mode, u, false, u.reason() != null ? u.reason() : "certain", 0, 0, null, seconds, null, null);
        if (!model.canAdapt()) return new Outcome(mode, u, true, "model cannot be adapted", 0, 0, null, seconds, null, null);
        if (!adaptations.tryAcquire()) {
            return new Outcome(mode, u, true, ADAPTATION_LIMIT + options.access().maxAdaptations() + " in progress); answered by the base model",
                    0, 0, null, seconds, null, null);
        }
        try {
            return adapt(model, messages, tools, mode, u, seed, cancel, seconds);
        } finally {
            adaptations.release();
        }
    }

    private Outcome adapt(QueuedModel model, List<Message> messages, List<ToolSpec> tools, TtsiMode mode, Uncertainty u, long seed, Cancel cancel,
                          Map<String, Double> seconds) {
        long t;

        cancel.check();
        t = System.nanoTime();
        model.stage("synthesize");
        LanguageModel generator = teacher != null ? teacher : model;
        List<Message> conversation = messages.stream().filter(m -> !m.role().equals(Message.SYSTEM)).toList();
        String gen = teacher != null ? "teacher" : "self";
        DataSynthesizer.Result syn;
        try {
            syn = synthesizer.synthesize(generator, conversation, tools, seed);
        } catch (Cancel.Cancelled e) {
            throw e;
        } catch (RuntimeException e) {
            if (teacher == null) throw e;
            // A teacher fault degrades to the base model's answer; the client learns what kind of fault, never the
            // teacher's address or our class names (those go to the server log).
            LOG.log(Level.WARNING, "teacher failed; answering with the base model", e);
            seconds.put("synthesize", (System.nanoTime() - t) / 1e9);
            return new Outcome(mode, u, true, TEACHER_FAILED + teacherFault(e) + "); answered by the base model", 0, 0, null, seconds, gen, null);
        }
        seconds.put("synthesize", (System.nanoTime() - t) / 1e9);
        if (syn.pairs().isEmpty()) {
            return new Outcome(mode, u, true, "no valid synthetic pair (" + syn.rejections().size() + " rejected in " + syn.attempts() + " attempt(s))",
                    0, syn.rejections().size(), null, seconds, gen, null);
        }

        cancel.check();
        List<Message> system = messages.stream().takeWhile(m -> m.role().equals(Message.SYSTEM)).toList();
        List<TrainingPair> pairs = new ArrayList<>();
        for (DataSynthesizer.Pair p : syn.pairs()) {
            List<Message> prompt = new ArrayList<>(system);
            prompt.add(Message.user(p.query()));
            pairs.add(new TrainingPair(prompt, tools, PromptFormat.NATIVE.answer(p.calls())));
        }
        t = System.nanoTime();
        model.stage("train");
        LanguageModel.Adapted adapted = model.adapt(pairs, seed);
        seconds.put("train", (System.nanoTime() - t) / 1e9);
        return new Outcome(mode, u, true, null, pairs.size(), syn.rejections().size(), adapted.losses(), seconds, gen, adapted);
    }

    /** The start of an outcome's reason when the teacher failed (also its metrics label's test). */
    static final String TEACHER_FAILED = "the teacher failed (";

    /** The start of an outcome's reason when the cap on adaptations in progress was reached. */
    static final String ADAPTATION_LIMIT = "the server's limit on adaptations was reached (";

    private static final Logger LOG = Logger.getLogger(SelfImprovement.class.getName());

    private static String teacherFault(RuntimeException e) {
        if (e instanceof OpenAiException oe) {
            if (oe.status() > 0) return "HTTP " + oe.status() + (oe.attempts() > 1 ? " after " + oe.attempts() + " attempts" : "");
            return "unreachable or no answer" + (oe.attempts() > 1 ? " after " + oe.attempts() + " attempts" : "");
        }
        return "unusable answer";
    }
}
