package ttsi.agent.method;

/** The method and its baselines, one option each. */
public enum Variant {
    /** The base model answers every input. */
    BASE("base", false, false),
    /** Few-shot demonstrations from a training or dev split, no training. */
    ICL("icl", false, false),
    /** Uncertain inputs: the model writes K pairs for itself, LoRA-trains on them, answers, resets. */
    TT_SI("tt-si", true, true),
    /** As TT-SI, but a stronger teacher writes the pairs. */
    TT_D("tt-d", true, true),
    /** Training-free: the self-written pairs become in-context demonstrations. */
    TT_SI_ICL("tt-si-icl", true, false),
    /** TT-SI on every input (no uncertainty selection). */
    ALL("all", true, true),
    /** TT-SI on the inputs H deems certain (the paper's H' ablation). */
    CERTAIN_ONLY("certain-only", true, true),
    /** TT-SI on a random subset as large as the one H selects. */
    RANDOM("random", true, true),
    /** Upper bound: trains on the gold answer of the test input itself (not a fair method; labelled as such). */
    GOLD("gold-upper-bound", false, true);

    public final String key;
    public final boolean synthesizes, trains;

    Variant(String key, boolean synthesizes, boolean trains) {
        this.key = key;
        this.synthesizes = synthesizes;
        this.trains = trains;
    }

    public static Variant of(String key) {
        for (Variant v : values()) if (v.key.equalsIgnoreCase(key) || v.name().equalsIgnoreCase(key)) return v;
        throw new IllegalArgumentException("unknown method '" + key + "' (expected one of " + java.util.Arrays.stream(values()).map(v -> v.key).toList() + ")");
    }

    /** Whether this variant adapts on an input, given H's verdict (and, for RANDOM, the run's random draw). */
    public boolean selects(boolean uncertain, boolean randomlyDrawn) {
        return switch (this) {
            case BASE, ICL -> false;
            case TT_SI, TT_D, TT_SI_ICL -> uncertain;
            case ALL, GOLD -> true;
            case CERTAIN_ONLY -> !uncertain;
            case RANDOM -> randomlyDrawn;
        };
    }
}
