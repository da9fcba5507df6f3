package ttsi.engine.train;

/**
 * Learning-rate multipliers as transformers' get_*_schedule_with_warmup compute them: linear warmup over
 * ceil(ratio · total) steps from 0, then cosine (or linear) decay to 0, or constant.
 */
public record LrSchedule(String kind, int totalSteps, int warmupSteps) {

    public LrSchedule {
        if (!kind.equals("cosine") && !kind.equals("linear") && !kind.equals("constant")) {
            throw new IllegalArgumentException("unknown lr scheduler '" + kind + "' (expected cosine, linear or constant)");
        }
    }

    public static LrSchedule of(String kind, int totalSteps, double warmupRatio) {
        return new LrSchedule(kind, totalSteps, (int) Math.ceil(totalSteps * warmupRatio));
    }

    /** Multiplier for the optimizer step with 0-based index step. */
    public double factor(int step) {
        if (step < warmupSteps) return (double) step / Math.max(1, warmupSteps);
        if (kind.equals("constant")) return 1;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return kind.equals("linear") ? Math.max(0, 1 - progress) : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
