package ttsi.agent.method;

import ttsi.agent.method.Plan.Data;
import ttsi.agent.method.Plan.Demos;
import ttsi.agent.method.Plan.Selection;

/** The method and its baselines, one option each ({@code ttsi run --method}); each is a {@link Plan}. */
public enum Variant {
    /** The base model answers every input. */
    BASE("base", Selection.NONE, Data.NONE, false, Demos.NONE),
    /** Few-shot demonstrations from a training or dev split, no training. */
    ICL("icl", Selection.NONE, Data.NONE, false, Demos.POOL),
    /** Uncertain inputs: the model writes K pairs for itself, LoRA-trains on them, answers, resets. */
    TT_SI("tt-si", Selection.UNCERTAIN, Data.SELF, true, Demos.NONE),
    /** As TT-SI, but a stronger teacher writes the pairs. */
    TT_D("tt-d", Selection.UNCERTAIN, Data.TEACHER, true, Demos.NONE),
    /** Training-free: the self-written pairs become in-context demonstrations. */
    TT_SI_ICL("tt-si-icl", Selection.UNCERTAIN, Data.SELF, false, Demos.SYNTHETIC),
    /** TT-SI on every input (no uncertainty selection). */
    ALL("all", Selection.ALL, Data.SELF, true, Demos.NONE),
    /** TT-SI on the inputs H deems certain (the paper's H' ablation). */
    CERTAIN_ONLY("certain-only", Selection.CERTAIN, Data.SELF, true, Demos.NONE),
    /** TT-SI on a random subset as large as the one H selects. */
    RANDOM("random", Selection.RANDOM, Data.SELF, true, Demos.NONE),
    /** Upper bound: trains on the gold answer of the test input itself (not a fair method; labelled as such). */
    GOLD("gold-upper-bound", Selection.ALL, Data.GOLD, true, Demos.NONE);

    public final String key;
    public final Plan plan;
    /** Whether G asks a model for pairs; whether T trains (the plan's, for reports). */
    public final boolean synthesizes, trains;

    Variant(String key, Selection selection, Data data, boolean trains, Demos demos) {
        this.key = key;
        this.plan = new Plan(key, selection, data, trains, demos);
        this.synthesizes = plan.synthesizes();
        this.trains = trains;
    }

    public static Variant of(String key) {
        for (Variant v : values()) if (v.key.equalsIgnoreCase(key) || v.name().equalsIgnoreCase(key)) return v;
        throw new IllegalArgumentException("unknown method '" + key + "' (expected one of " + java.util.Arrays.stream(values()).map(v -> v.key).toList() + ")");
    }

    /** Whether this variant adapts on an input, given H's verdict (and, for RANDOM, the run's random draw). */
    public boolean selects(boolean uncertain, boolean randomlyDrawn) {
        return plan.selects(uncertain, randomlyDrawn);
    }
}
