package ttsi.agent.method;

import java.util.Locale;

/**
 * What one variant of the method does at each step of Algorithm 1, as data: which inputs it selects after H, who
 * writes their training data at G, whether T trains a LoRA adapter on that data, and which demonstrations the
 * answer's prompt shows. {@link TestTimeMethod} runs every variant through the same steps; a variant differs from
 * another only here. The named variants are {@link Variant}'s; serve and the Java API build theirs with
 * {@link #adaptation}.
 *
 * @param name how messages and reports name the plan (a variant's key)
 */
public record Plan(String name, Selection selection, Data data, boolean trains, Demos demos) {

    /** Which inputs go on to G and T, given H's verdict. */
    public enum Selection {
        /** None: every input is answered by the base model (H still runs, so its verdict is recorded). */
        NONE,
        /** The paper's rule: the inputs H finds uncertain (margin below τ). */
        UNCERTAIN,
        /** The inputs H finds certain (the paper's H' ablation). */
        CERTAIN,
        /** Every input, whatever H finds. */
        ALL,
        /** A random draw, made by the caller (as many inputs as H would select). */
        RANDOM;

        public boolean selects(boolean uncertain, boolean randomlyDrawn) {
            return switch (this) {
                case NONE -> false;
                case UNCERTAIN -> uncertain;
                case CERTAIN -> !uncertain;
                case ALL -> true;
                case RANDOM -> randomlyDrawn;
            };
        }
    }

    /** Who writes a selected input's training pairs at G. */
    public enum Data {
        /** Nobody (the plan adapts nothing). */
        NONE,
        /** The model itself (TT-SI). */
        SELF,
        /** A stronger teacher model (TT-D). */
        TEACHER,
        /** Nobody: the input with its own gold answer is the one pair (an upper bound, not a fair method). */
        GOLD;

        /** self, teacher, gold or none, as results name the generator. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Worked examples the answer's prompt shows before the input. */
    public enum Demos {
        /** None. */
        NONE,
        /** Drawn by the caller from a training or dev split, on every input (ICL). */
        POOL,
        /** The selected input's synthetic pairs (TT-SI + ICL, training-free). */
        SYNTHETIC
    }

    public Plan {
        if (name == null || selection == null || data == null || demos == null) throw new IllegalArgumentException("a plan needs every field");
        if (trains && data == Data.NONE) throw new IllegalArgumentException(name + ": training needs data (self, teacher or gold)");
        if (demos == Demos.SYNTHETIC && !generates(data)) throw new IllegalArgumentException(name + ": synthetic demonstrations need a generator (self or teacher)");
    }

    /** Whether G asks a model (the student or the teacher) for pairs. */
    public boolean synthesizes() {
        return generates(data);
    }

    private static boolean generates(Data d) {
        return d == Data.SELF || d == Data.TEACHER;
    }

    public boolean selects(boolean uncertain, boolean randomlyDrawn) {
        return selection.selects(uncertain, randomlyDrawn);
    }

    /** The same plan with another data source (e.g. "all" with a teacher: a forced TT-D). */
    public Plan withData(Data d) {
        return d == data ? this : new Plan(name + " (" + d.key() + ")", selection, d, trains, demos);
    }

    /** The same plan with T's training off (a model that cannot be adapted still gets H and the selection). */
    public Plan withoutTraining() {
        return trains ? new Plan(name + " (no training)", selection, data, false, demos) : this;
    }

    /**
     * Test-time adaptation as serve and the Java API offer it: TT-SI, or TT-D with a teacher, on the inputs H finds
     * uncertain, or on every input when {@code always} ("all", self- or teacher-written).
     */
    public static Plan adaptation(boolean always, boolean teacher) {
        Plan p = always ? Variant.ALL.plan : Variant.TT_SI.plan;
        if (!teacher) return p;
        return always ? p.withData(Data.TEACHER) : Variant.TT_D.plan;
    }
}
