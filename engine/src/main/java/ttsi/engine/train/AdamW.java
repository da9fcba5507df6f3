package ttsi.engine.train;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW as PyTorch implements it (decoupled weight decay, bias-corrected moments):
 * p ← p − lr·wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr · m̂ / (√v̂ + ε).
 */
public final class AdamW {
    /** A parameter array and its gradient array (same length). */
    public record Param(float[] value, float[] grad) {}

    private final List<Param> params;
    private final List<float[]> m = new ArrayList<>(), v = new ArrayList<>();
    private final double beta1, beta2, eps, weightDecay;
    private final boolean[] decays; // per param: whether weight decay applies
    private int step;

    public AdamW(List<Param> params, double beta1, double beta2, double eps, double weightDecay) {
        this(params, null, beta1, beta2, eps, weightDecay);
    }

    /** decays[i]: whether weight decay applies to params[i] (null: to all). */
    public AdamW(List<Param> params, boolean[] decays, double beta1, double beta2, double eps, double weightDecay) {
        if (decays != null && decays.length != params.size()) throw new IllegalArgumentException("decay mask length " + decays.length + " != " + params.size() + " params");
        this.decays = decays == null ? null : decays.clone();
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Param p : params) {
            m.add(new float[p.value().length]);
            v.add(new float[p.value().length]);
        }
    }

    public static AdamW withDefaults(List<Param> params, double weightDecay) {
        return new AdamW(params, 0.9, 0.999, 1e-8, weightDecay);
    }

    public int steps() {
        return step;
    }

    public void step(double lr) {
        step(lr, 1f);
    }

    /**
     * {@link #step(double)} on every gradient times gradScale (the factor {@link #clipFactor} gives), without
     * changing the gradient arrays: the same bits as clipping in place and then stepping.
     */
    public void step(double lr, float gradScale) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float decayAll = (float) (1 - lr * weightDecay);
        for (int i = 0; i < params.size(); i++) {
            float decay = decays == null || decays[i] ? decayAll : 1f;
            float[] p = params.get(i).value(), g = params.get(i).grad(), mi = m.get(i), vi = v.get(i);
            for (int j = 0; j < p.length; j++) {
                float gj = g[j] * gradScale;
                mi[j] = (float) (beta1 * mi[j] + (1 - beta1) * gj);
                vi[j] = (float) (beta2 * vi[j] + (1 - beta2) * gj * gj);
                double mHat = mi[j] / bc1, vHat = vi[j] / bc2;
                p[j] = (float) (p[j] * decay - lr * mHat / (Math.sqrt(vHat) + eps));
            }
        }
    }

    /** The global L2 norm of all gradients. */
    public double gradNorm() {
        double s = 0;
        for (Param p : params) for (float g : p.grad()) s += (double) g * g;
        return Math.sqrt(s);
    }

    /** The factor torch's clip_grad_norm_ scales every gradient by, given their global norm: 1 when within maxNorm. */
    public static float clipFactor(double norm, double maxNorm) {
        return maxNorm > 0 && norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1f;
    }

    /** Scales all gradients so that their global norm is at most maxNorm (as torch clip_grad_norm_); returns the norm before. */
    public double clipGradNorm(double maxNorm) {
        double norm = gradNorm();
        float c = clipFactor(norm, maxNorm);
        if (c != 1f) {
            for (Param p : params) {
                float[] g = p.grad();
                for (int j = 0; j < g.length; j++) g[j] *= c;
            }
        }
        return norm;
    }

    /** Writes the step count and both moments of every parameter (f32, little-endian), to resume training. */
    public void writeState(java.nio.file.Path f) throws java.io.IOException {
        try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(f), 1 << 16))) {
            out.writeInt(STATE_MAGIC);
            out.writeInt(step);
            out.writeInt(params.size());
            for (int i = 0; i < params.size(); i++) {
                out.writeInt(m.get(i).length);
                writeFloats(out, m.get(i));
                writeFloats(out, v.get(i));
            }
        }
    }

    /** Reads what {@link #writeState} wrote; the parameter count and sizes must match this optimizer's. */
    public void readState(java.nio.file.Path f) throws java.io.IOException {
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(f), 1 << 16))) {
            if (in.readInt() != STATE_MAGIC) throw new java.io.IOException(f + ": not an AdamW state file");
            int s = in.readInt(), n = in.readInt();
            if (n != params.size()) throw new java.io.IOException(f + ": holds " + n + " parameters, the model has " + params.size());
            for (int i = 0; i < n; i++) {
                int len = in.readInt();
                if (len != m.get(i).length) throw new java.io.IOException(f + ": parameter " + i + " has " + len + " values, the model's has " + m.get(i).length);
                readFloats(in, m.get(i));
                readFloats(in, v.get(i));
            }
            step = s;
        }
    }

    private static final int STATE_MAGIC = 0x41444d57; // "ADMW"

    private static void writeFloats(java.io.DataOutputStream out, float[] a) throws java.io.IOException {
        byte[] b = new byte[a.length * 4];
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(a);
        out.write(b);
    }

    private static void readFloats(java.io.DataInputStream in, float[] a) throws java.io.IOException {
        byte[] b = new byte[a.length * 4];
        in.readFully(b);
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
    }

    public void zeroGrad() {
        for (Param p : params) java.util.Arrays.fill(p.grad(), 0f);
    }
}
