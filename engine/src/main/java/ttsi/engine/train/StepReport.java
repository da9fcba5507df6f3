package ttsi.engine.train;

/** What happened at one optimizer step of any trainer (for progress bars and loss curves). */
public record StepReport(int step, int totalSteps, int epoch, double loss, double gradNorm, double lr, int tokens, double seconds) {

    /** Told of each optimizer step as it ends. */
    public interface Listener {
        void onStep(StepReport r);
    }
}
