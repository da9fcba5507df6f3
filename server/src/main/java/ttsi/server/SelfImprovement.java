package ttsi.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;
import ttsi.agent.backend.OpenAiException;
import ttsi.agent.json.Json;
import ttsi.agent.method.Plan;
import ttsi.agent.method.TestTimeMethod;
import ttsi.agent.method.Uncertainty;
import ttsi.agent.model.AdaptableModel;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * TT-SI for one request through the steps of {@code ttsi run}'s {@link TestTimeMethod}: H → select → G → T. What
 * is the server's own: each step's stage on the engine queue, cancellation between steps, the cap on adaptations in
 * progress, and a typed verdict for the metrics. The caller answers with the adapted model (the request's own
 * sampling, maybe streamed) and closes it: the reset. The adapter belongs to the request alone.
 */
final class SelfImprovement {
    /** What became of a request's TT-SI; label is its {@code ttsi_adaptations_total} outcome. */
    enum Verdict {
        ADAPTED("adapted"), CERTAIN("certain"), OFF("off"), NO_DATA("no_data"), TEACHER_FAILED("teacher_failed"), LIMITED("limited"),
        UNSUPPORTED("unsupported");

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }

    /** What happened; adapted is null when the request was not adapted. */
    record Outcome(TtsiMode mode, Verdict verdict, Uncertainty uncertainty, String reason, int pairs, int rejected, double[] losses,
                   Map<String, Double> seconds, String generator, AdaptableModel.Adapted adapted) {

        Outcome withReason(String r) {
            return new Outcome(mode, verdict, uncertainty, r, pairs, rejected, losses, seconds, generator, adapted);
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

    private static final Logger LOG = Logger.getLogger(SelfImprovement.class.getName());

    private final ServeOptions options;
    private final LanguageModel teacher;
    private final TestTimeMethod.Config config; // the method's defaults with the server's H and G settings; the plan is per request
    private final Semaphore adaptations; // permits for adaptations in progress

    SelfImprovement(ServeOptions options, LanguageModel teacher) {
        this.options = options;
        this.teacher = teacher;
        int max = options.access().maxAdaptations();
        this.adaptations = new Semaphore(max > 0 ? max : Integer.MAX_VALUE);
        this.config = TestTimeMethod.Config.defaults(Plan.adaptation(false, false)).withSteps(options.uncertainty(), options.synthesis());
    }

    Outcome run(QueuedModel model, List<Message> messages, List<ToolSpec> tools, TtsiMode mode, long seed, Cancel cancel) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        // Off skips H as well: its forward pass per tool would only feed this report (the Java API's OFF does run it).
        if (mode == TtsiMode.OFF) return new Outcome(mode, Verdict.OFF, null, "off", 0, 0, null, seconds, null, null);
        Plan plan = Plan.adaptation(mode == TtsiMode.FORCE, teacher != null);
        // A model that cannot be adapted still gets H and the selection; a request it selects is reported unsupported.
        boolean adaptable = model instanceof AdaptableModel;
        TestTimeMethod method = new TestTimeMethod(model, teacher, config.withPlan(adaptable ? plan : plan.withoutTraining()));
        TestTimeMethod.Input x = method.input(messages, tools);

        model.stage("score");
        TestTimeMethod.Estimate h = method.estimate(x, seed);
        seconds.put("score", h.seconds());
        Uncertainty u = h.uncertainty();
        if (!method.selects(h, false)) return new Outcome(mode, Verdict.CERTAIN, u, u.reason() != null ? u.reason() : "certain", 0, 0, null, seconds, null, null);
        if (!adaptable) return new Outcome(mode, Verdict.UNSUPPORTED, u, "model cannot be adapted", 0, 0, null, seconds, null, null);
        if (!adaptations.tryAcquire()) {
            return new Outcome(mode, Verdict.LIMITED, u, "the server's limit on adaptations was reached (" + options.access().maxAdaptations()
                    + " in progress); answered by the base model", 0, 0, null, seconds, null, null);
        }
        try {
            return synthesizeAndAdapt(method, model, x, mode, u, seed, cancel, seconds);
        } finally {
            adaptations.release();
        }
    }

    private Outcome synthesizeAndAdapt(TestTimeMethod method, QueuedModel model, TestTimeMethod.Input x, TtsiMode mode, Uncertainty u, long seed,
                                       Cancel cancel, Map<String, Double> seconds) {
        cancel.check();
        model.stage("synthesize");
        TestTimeMethod.Synthesis g = method.synthesize(x, seed);
        seconds.put("synthesize", g.seconds());
        String generator = g.source().key();
        if (g.failure() != null) {
            // The request is answered by the base model; the client learns what kind of fault, never the teacher's
            // address or our class names (those go to the server log).
            LOG.log(Level.WARNING, "teacher failed; answering with the base model", g.failure());
            return new Outcome(mode, Verdict.TEACHER_FAILED, u, "the teacher failed (" + teacherFault(g.failure()) + "); answered by the base model",
                    0, 0, null, seconds, generator, null);
        }
        int rejected = g.generated().rejections().size();
        if (g.examples().isEmpty()) {
            return new Outcome(mode, Verdict.NO_DATA, u, "no valid synthetic pair (" + rejected + " rejected in " + g.generated().attempts() + " attempt(s))",
                    0, rejected, null, seconds, generator, null);
        }

        cancel.check();
        model.stage("train");
        TestTimeMethod.Adaptation t = method.adapt(x, g, seed);
        seconds.put("train", t.seconds());
        return new Outcome(mode, Verdict.ADAPTED, u, null, g.examples().size(), rejected, t.losses(), seconds, generator, t.adapter());
    }

    private static String teacherFault(RuntimeException e) {
        if (e instanceof OpenAiException oe) {
            if (oe.status() > 0) return "HTTP " + oe.status() + (oe.attempts() > 1 ? " after " + oe.attempts() + " attempts" : "");
            return "unreachable or no answer" + (oe.attempts() > 1 ? " after " + oe.attempts() + " attempts" : "");
        }
        return "unusable answer";
    }
}
