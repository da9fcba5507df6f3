package ttsi.engine.model;

import java.util.Arrays;
import java.util.List;

/**
 * The seven linear layers of a decoder layer, in the order {@link Weights.Layer#linears()} holds them: the ones a
 * LoRA adapter may target and that training computes gradients for. Named as PEFT's {@code target_modules} and HF
 * module paths name them.
 */
public enum Projection {
    Q("self_attn", "q_proj"), K("self_attn", "k_proj"), V("self_attn", "v_proj"), O("self_attn", "o_proj"),
    GATE("mlp", "gate_proj"), UP("mlp", "up_proj"), DOWN("mlp", "down_proj");

    private final String block, moduleName;

    Projection(String block, String moduleName) {
        this.block = block;
        this.moduleName = moduleName;
    }

    /** The PEFT target-module name, e.g. {@code q_proj}. */
    public String moduleName() {
        return moduleName;
    }

    /** The HF module path inside a layer, e.g. {@code self_attn.q_proj}. */
    public String path() {
        return block + "." + moduleName;
    }

    /** Whether Qwen2-style checkpoints may give it a bias (q, k and v). */
    public boolean mayHaveBias() {
        return this == Q || this == K || this == V;
    }

    /** Every module name, in order ({@code q_proj} .. {@code down_proj}). */
    public static final List<String> MODULE_NAMES = Arrays.stream(values()).map(Projection::moduleName).toList();

    /** The projection a PEFT target-module name stands for. */
    public static Projection ofModuleName(String name) {
        for (Projection p : values()) if (p.moduleName.equals(name)) return p;
        throw new IllegalArgumentException("unknown linear module '" + name + "' (expected one of " + MODULE_NAMES + ")");
    }
}
