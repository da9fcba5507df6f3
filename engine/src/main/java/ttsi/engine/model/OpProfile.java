package ttsi.engine.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where a forward pass spends its time, by op class: switched on for a whole JVM with {@code -Dttsi.profile=true}
 * ({@code ttsi bench engine --profile}); off, every call below is a constant-false branch the JIT removes. The
 * timings are wall time on the calling thread, so an op's share includes its hand-off to the kernel threads and the
 * wait for the slowest of them.
 */
public final class OpProfile {
    private OpProfile() {}

    /** Read once, when the class loads: the JIT folds the checks away when it is false. */
    public static final boolean ON = Boolean.getBoolean("ttsi.profile");

    /** The op classes of a decoder forward. */
    public enum Op {
        EMBED("embedding rows"),
        NORM("RMSNorm (input, post-attention, q/k, final)"),
        QKV("q, k, v projections"),
        ROPE("rotary embeddings + KV-cache copy"),
        ATTENTION("attention (scores, softmax, values)"),
        O_PROJ("output projection"),
        RESIDUAL("residual adds"),
        GATE_UP("MLP gate + up projections"),
        SWIGLU("SiLU(gate) x up"),
        DOWN("MLP down projection"),
        LM_HEAD("LM head (logits)");

        public final String what;

        Op(String what) {
            this.what = what;
        }
    }

    private static final AtomicLongArray NANOS = new AtomicLongArray(Op.values().length);

    /** A start time when profiling, else 0. */
    public static long start() {
        return ON ? System.nanoTime() : 0;
    }

    /** Adds the time since {@code start} to an op; returns the current time (the next op's start). */
    public static long add(Op op, long start) {
        if (!ON) return 0;
        long now = System.nanoTime();
        NANOS.addAndGet(op.ordinal(), now - start);
        return now;
    }

    public static void reset() {
        for (int i = 0; i < NANOS.length(); i++) NANOS.set(i, 0);
    }

    /** Seconds per op since the last reset, in op order. */
    public static Map<String, Double> seconds() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Op op : Op.values()) out.put(op.name().toLowerCase(java.util.Locale.ROOT), NANOS.get(op.ordinal()) / 1e9);
        return out;
    }
}
