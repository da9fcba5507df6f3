package ttsi.engine.model;

/**
 * The named buffers one decoder layer's forward ({@link Decoder#layer}) reads and writes, each [rows][width]
 * row-major, as in llm.c. Inference runs every layer on one set of scratch buffers (a {@link State}'s), with
 * {@code xn1 == xn2}, {@code act == gate} and the saved-for-backward buffers null. Training keeps one set per layer
 * with distinct buffers, so that the backward finds each activation where its forward left it; only {@code act}
 * (recomputed from gate and up by the backward) and {@code out} are scratch shared by every layer.
 */
public final class LayerBuffers {
    /** The residual stream, updated in place by the layer (shared by every layer). */
    public float[] x;
    /** Normed input of attention, its q/k/v projections (q and k after q/k-norm and rotary), the attention output. */
    public float[] xn1, q, k, v, att;
    /** Scratch for the projections that are added to the residual stream (o and down). */
    public float[] out;
    /** Normed input of the MLP, its gate and up projections, and silu(gate) * up. */
    public float[] xn2, gate, up, act;

    // Saved for the backward only (null in inference).
    /** x before the layer, x after attention (the MLP's residual input). */
    public float[] xIn, xMid;
    /** 1/rms of each row of the two norms, [rows]. */
    public float[] rinv1, rinv2;
    /** q and k before q/k-norm, and 1/rms of each head's row ([rows * heads]); Qwen3 only. */
    public float[] qRaw, kRaw, qRinv, kRinv;
    /** Each query row's softmax max and sum, [heads][rows][2] (see {@link Ops#attention}). */
    public float[] softmaxStats;

    /** Whether this set keeps what the backward needs. */
    public boolean savesActivations() {
        return xIn != null;
    }
}
