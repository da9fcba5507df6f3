package ttsi.engine.train;

import java.util.List;

/**
 * LoRA hyper-parameters, as PEFT names them. The paper's defaults: r 8, alpha 16, all linear layers.
 *
 * @param targetModules module names (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)
 * @param seed          seeds the A initialisation (and dropout masks)
 */
public record LoraConfig(int r, double alpha, double dropout, boolean useRslora, List<String> targetModules, long seed) {

    public static final List<String> ALL_LINEAR = ttsi.engine.model.Projection.MODULE_NAMES;

    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("LoRA rank must be positive, got " + r);
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        targetModules = List.copyOf(targetModules);
        for (String m : targetModules) {
            if (!ALL_LINEAR.contains(m)) throw new IllegalArgumentException("unknown LoRA target module '" + m + "' (expected one of " + ALL_LINEAR + ")");
        }
    }

    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.0, false, ALL_LINEAR, 0);
    }

    /** The factor on the low-rank path: alpha/r, or alpha/sqrt(r) with rsLoRA. */
    public float scale() {
        return (float) (useRslora ? alpha / Math.sqrt(r) : alpha / r);
    }

    public LoraConfig withSeed(long s) {
        return new LoraConfig(r, alpha, dropout, useRslora, targetModules, s);
    }
}
