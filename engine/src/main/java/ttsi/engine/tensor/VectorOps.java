package ttsi.engine.tensor;

import static ttsi.engine.tensor.Simd.F;
import static ttsi.engine.tensor.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Small vector primitives used by attention, norms and activations. Reductions (dot, sumOfSquares) use four
 * lane-wise accumulators over the groups of four whole vectors, accumulator 0 over the whole vectors after them,
 * then ((a0+a1)+(a2+a3)) and the fixed lane tree of {@link Simd}, then the last n mod L elements by scalar FMA in
 * increasing i: the result depends only on the input values and n, never on JIT state or alignment. Element-wise ops are exact per element (axpy uses one fused rounding).
 */
public final class VectorOps {
    private VectorOps() {}

    /** Σ a[ao+i]·b[bo+i], i < n. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            s0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), s0);
            s1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), s1);
            s2 = FloatVector.fromArray(F, a, ao + i + 2 * L).fma(FloatVector.fromArray(F, b, bo + i + 2 * L), s2);
            s3 = FloatVector.fromArray(F, a, ao + i + 3 * L).fma(FloatVector.fromArray(F, b, bo + i + 3 * L), s3);
        }
        for (; i <= n - L; i += L) {
            s0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), s0);
        }
        // The last n mod L products are added to the sum one by one: a masked vector step after the loops would
        // meet the loop's vectors at a phi, and once a tail had run C2 boxed them (a third slower, JDK 25).
        float sum = Simd.reduce(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) sum = Math.fma(a[ao + i], b[bo + i], sum);
        return sum;
    }

    /** y[yo+i] += alpha · x[xo+i], i < n (fused: one rounding per element). */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xo + i).fma(av, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(x[xo + i], alpha, y[yo + i]);
    }

    /** x[xo+i] *= alpha, i < n. */
    public static void scale(float[] x, int xo, int n, float alpha) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(F, x, xo + i).mul(alpha).intoArray(x, xo + i);
        for (; i < n; i++) x[xo + i] *= alpha;
    }

    /** Σ x[xo+i]², i < n. */
    public static float sumOfSquares(float[] x, int xo, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xo + i), v1 = FloatVector.fromArray(F, x, xo + i + L);
            FloatVector v2 = FloatVector.fromArray(F, x, xo + i + 2 * L), v3 = FloatVector.fromArray(F, x, xo + i + 3 * L);
            s0 = v0.fma(v0, s0);
            s1 = v1.fma(v1, s1);
            s2 = v2.fma(v2, s2);
            s3 = v3.fma(v3, s3);
        }
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            s0 = v.fma(v, s0);
        }
        float sum = Simd.reduce(s0.add(s1).add(s2.add(s3))); // the tail one by one, as in dot
        for (; i < n; i++) sum = Math.fma(x[xo + i], x[xo + i], sum);
        return sum;
    }

    // ---- exp: the Vector API's lanewise EXP gives different last bits in interpreted and compiled code, which
    // would make results depend on JIT state. This one uses only add, mul, fma, conversions and bit casts, which
    // are exact in every tier, and its scalar tail repeats the same steps, so each element's value depends only on
    // its input. Cody-Waite reduction to r in [-ln2/2, ln2/2], a degree-6 polynomial, then a 2^n scale. ----

    private static final float EXP_LO = -87.3f, EXP_HI = 88.0f, LOG2E = 1.44269504f, SHIFT = 12582912f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float P6 = 1.3888889e-3f, P5 = 8.3333333e-3f, P4 = 4.1666667e-2f, P3 = 1.6666667e-1f, P2 = 0.5f;

    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector n = x.mul(LOG2E).add(SHIFT).sub(SHIFT); // round to nearest
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(P6, P5);
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        jdk.incubator.vector.IntVector e = ((jdk.incubator.vector.IntVector) n.convert(jdk.incubator.vector.VectorOperators.F2I, 0))
                .add(127).lanewise(jdk.incubator.vector.VectorOperators.LSHL, 23);
        return p.mul(e.reinterpretAsFloats());
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order. */
    public static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float n = (x * LOG2E + SHIFT) - SHIFT;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P6, P5);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** out[i] = silu(gate[i]) · up[i] = gate/(1+e^-gate) · up, off ≤ i < off+n (out may alias gate). */
    public static void swiglu(float[] gate, float[] up, float[] out, int off, int n) {
        int i = off, end = off + n;
        for (; i <= end - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            g.div(exp(g.neg()).add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(out, i);
        }
        for (; i < end; i++) out[i] = gate[i] / (exp(-gate[i]) + 1f) * up[i];
    }

    /** Backward of {@link #swiglu}, same range: dUp = dOut·silu(g), dGate = dOut·up·σ(g)(1 + g(1 − σ(g))). */
    public static void swigluBackward(float[] dOut, float[] gate, float[] up, float[] dGate, float[] dUp, int off, int n) {
        int i = off, end = off + n;
        for (; i <= end - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i), d = FloatVector.fromArray(F, dOut, i);
            FloatVector one = FloatVector.broadcast(F, 1f);
            FloatVector sig = one.div(exp(g.neg()).add(1f));
            d.mul(g).mul(sig).intoArray(dUp, i);
            d.mul(FloatVector.fromArray(F, up, i)).mul(sig).mul(one.add(g.mul(one.sub(sig)))).intoArray(dGate, i);
        }
        for (; i < end; i++) {
            float g = gate[i], sig = 1f / (exp(-g) + 1f);
            dUp[i] = dOut[i] * g * sig;
            dGate[i] = dOut[i] * up[i] * sig * (1f + g * (1f - sig));
        }
    }

    /** x[xo+i] = e^(x[xo+i] − shift), i < n; returns the sum of the results (double, fixed order). */
    public static double expShift(float[] x, int xo, int n, float shift) {
        double sum = 0;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = exp(FloatVector.fromArray(F, x, xo + i).sub(shift));
            e.intoArray(x, xo + i);
            sum += Simd.reduce(e);
        }
        for (; i < n; i++) {
            x[xo + i] = exp(x[xo + i] - shift);
            sum += x[xo + i];
        }
        return sum;
    }

    /**
     * Softmax of scale·x in place: x[xo+i] = e^((x[xo+i] − max)·scale) / Σ, i < n, for scale > 0 (attention rows).
     * Vector lanes accumulate the sum, which is then reduced by the fixed tree; tails are masked, not scalar.
     */
    public static void softmax(float[] x, int xo, int n, float scale) {
        softmax(x, xo, n, scale, null, 0);
    }

    /**
     * {@link #softmax(float[], int, int, float)}, also storing max and 1/Σ in stats[so], stats[so+1] (when stats is
     * not null), from which {@link #softmaxFromStats} gives the same values again.
     */
    public static void softmax(float[] x, int xo, int n, float scale, float[] stats, int so) {
        if (n <= 0) return;
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) mv = mv.max(FloatVector.fromArray(F, x, xo + i));
        VectorMask<Float> tail = i < n ? Simd.floatMask(n - i) : null;
        if (tail != null) mv = mv.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, x, xo + i, tail), tail);
        float maxValue = mv.reduceLanes(VectorOperators.MAX);
        FloatVector max = FloatVector.broadcast(F, maxValue);
        FloatVector sum = FloatVector.zero(F);
        for (i = 0; i <= n - L; i += L) {
            FloatVector e = exp(FloatVector.fromArray(F, x, xo + i).sub(max).mul(scale));
            e.intoArray(x, xo + i);
            sum = sum.add(e);
        }
        if (tail != null) {
            FloatVector e = exp(FloatVector.fromArray(F, x, xo + i, tail).sub(max).mul(scale));
            e.intoArray(x, xo + i, tail);
            sum = sum.lanewise(VectorOperators.ADD, e, tail);
        }
        float inv = 1f / Simd.reduce(sum);
        for (i = 0; i <= n - L; i += L) FloatVector.fromArray(F, x, xo + i).mul(inv).intoArray(x, xo + i);
        if (tail != null) FloatVector.fromArray(F, x, xo + i, tail).mul(inv).intoArray(x, xo + i, tail);
        if (stats != null) {
            stats[so] = maxValue;
            stats[so + 1] = inv;
        }
    }

    /** x[xo+i] = e^((x[xo+i] − max)·scale) · inv with max, inv = stats[so], stats[so+1]: the softmax again, same bits. */
    public static void softmaxFromStats(float[] x, int xo, int n, float scale, float[] stats, int so) {
        FloatVector max = FloatVector.broadcast(F, stats[so]);
        float inv = stats[so + 1];
        int i = 0;
        for (; i <= n - L; i += L) exp(FloatVector.fromArray(F, x, xo + i).sub(max).mul(scale)).mul(inv).intoArray(x, xo + i);
        if (i < n) {
            VectorMask<Float> tail = Simd.floatMask(n - i);
            exp(FloatVector.fromArray(F, x, xo + i, tail).sub(max).mul(scale)).mul(inv).intoArray(x, xo + i, tail);
        }
    }

    /**
     * Softmax backward of one row in place: g[go+i] = p[po+i] · (g[go+i] − Σ_j p[po+j]·g[go+j]) · scale, i < n,
     * where p is the softmax output and g arrives as the gradient of the output (leaves as that of the input).
     */
    public static void softmaxBackward(float[] p, int po, float[] g, int go, int n, float scale) {
        float d = dot(p, po, g, go, n);
        FloatVector dv = FloatVector.broadcast(F, d);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, g, go + i).sub(dv).mul(FloatVector.fromArray(F, p, po + i)).mul(scale).intoArray(g, go + i);
        }
        for (; i < n; i++) g[go + i] = (g[go + i] - d) * p[po + i] * scale;
    }

    /** max of x[xo+i], i < n. */
    public static float max(float[] x, int xo, int n) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) m = m.max(FloatVector.fromArray(F, x, xo + i));
        float r = m.reduceLanes(jdk.incubator.vector.VectorOperators.MAX);
        for (; i < n; i++) r = Math.max(r, x[xo + i]);
        return r;
    }
}
