package ttsi.engine.tensor;

import static ttsi.engine.tensor.Simd.F;
import static ttsi.engine.tensor.Simd.L;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The two backward products in "outer" layout: C[i][j..j+4L) += Σ_p A[i][p]·B[p][j..j+4L), with A broadcast
 * and B rows contiguous along the output columns, a 6-row x 4-vector accumulator tile held in registers.
 *
 * <p>Summation order: every output element starts from its current value in C (dx is zeroed first unless
 * accumulating) and takes one FMA per contraction index p, in increasing p. Blocking only stores and reloads C
 * between blocks, which changes nothing, so results are the same for any blocking, tile shape, thread count
 * or (for dx) number of token rows. W blocks are widened to f32 once per block and reused by all token rows.
 */
final class OuterKernels {
    private OuterKernels() {}

    /** Output columns per register tile (4 vectors). */
    static final int PW = 4 * L;
    /** Backward input: W rows (contraction) and dx columns per packed block: 256 x 512 f32 = 512 KiB. */
    static final int NB = 256, CB = 512;
    /** Backward weight: token rows (contraction) and dw columns per block. */
    static final int TB = 128, WB = 256;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] scratch(int n) {
        float[][] h = SCRATCH.get();
        if (h[0].length < n) h[0] = new float[n];
        return h[0];
    }

    /** dx[dxOff + t·dxStride + k] (+)= Σ_n dy[dyOff + t·dyStride + n]·w[n][k]. */
    static void backwardInput(Parallel p, float[] dy, int dyOff, int dyStride, int rows, Matrix w, float[] dx,
                              int dxOff, int dxStride, boolean accumulate) {
        int n = w.rows(), k = w.cols();
        if (rows <= 0 || k <= 0) return;
        int panels = (k + PW - 1) / PW;
        Parallel.RangeBody body = (q0, q1) -> {
            int c0 = q0 * PW, c1 = Math.min(k, q1 * PW);
            if (!accumulate) {
                for (int t = 0; t < rows; t++) Arrays.fill(dx, dxOff + t * dxStride + c0, dxOff + t * dxStride + c1, 0f);
            }
            for (int cb = c0; cb < c1; cb += CB) {
                int cbe = Math.min(c1, cb + CB), wpad = Simd.roundUp(cbe - cb, PW);
                for (int nb = 0; nb < n; nb += NB) {
                    int nl = Math.min(NB, n - nb);
                    float[] bp = scratch(nl * wpad);
                    packRows(w, nb, nl, cb, cbe - cb, wpad, bp);
                    sweep(dy, dyOff + nb, dyStride, 1, rows, bp, 0, wpad, nl, dx, dxOff + cb, dxStride, cbe - cb);
                }
            }
        };
        if ((long) rows * n * k <= DotKernels.SERIAL_MACS) body.run(0, panels);
        else p.forRange(panels, body);
    }

    /** dw[dwOff + j·dwStride + i] += Σ_t dy[dyOff + t·outDim + j]·x[xOff + t·inDim + i]. */
    static void backwardWeight(Parallel p, float[] dy, int dyOff, float[] x, int xOff, int rows, int outDim, int inDim,
                               float[] dw, int dwOff, int dwStride) {
        if (rows <= 0 || outDim <= 0 || inDim <= 0) return;
        int groups = (outDim + 5) / 6;
        Parallel.RangeBody body = (g0, g1) -> {
            int j0 = g0 * 6, j1 = Math.min(outDim, g1 * 6);
            for (int tb = 0; tb < rows; tb += TB) {
                int tl = Math.min(TB, rows - tb);
                for (int cb = 0; cb < inDim; cb += WB) {
                    int cw = Math.min(WB, inDim - cb);
                    // A[j][t] = dy[t][j]: rows of A step 1, contraction steps outDim.
                    sweep(dy, dyOff + tb * outDim + j0, 1, outDim, j1 - j0, x, xOff + tb * inDim + cb, inDim, tl,
                            dw, dwOff + j0 * dwStride + cb, dwStride, cw);
                }
            }
        };
        if ((long) rows * outDim * inDim <= DotKernels.SERIAL_MACS) body.run(0, groups);
        else p.forRange(groups, body);
    }

    /** W rows [nb, nb+nl) x columns [cb, cb+cw) widened into bp[r*wpad + i], zero-padded to wpad columns. */
    private static void packRows(Matrix w, int nb, int nl, int cb, int cw, int wpad, float[] bp) {
        for (int r = 0; r < nl; r++) {
            int o = r * wpad;
            Simd.widenRow(w, nb + r, cb, cw, bp, o);
            if (wpad > cw) Arrays.fill(bp, o + cw, o + wpad, 0f);
        }
    }

    /**
     * C[i][j] += Σ_{p<kl} a[aOff + i·aRs + p·aKs]·b[bOff + p·bKs + j] for i < m, j < cw, in 6-row tiles and
     * 4L-column panels; edges fall back to one row or one (masked) vector at a time, same FMA order.
     */
    static void sweep(float[] a, int aOff, int aRs, int aKs, int m, float[] b, int bOff, int bKs, int kl,
                              float[] c, int cOff, int ldc, int cw) {
        int fullCols = cw / PW * PW;
        int i = 0;
        for (; i + 6 <= m; i += 6) {
            int ao = aOff + i * aRs, co = cOff + i * ldc;
            for (int j = 0; j < fullCols; j += PW) micro6x4(a, ao, aRs, aKs, b, bOff + j, bKs, kl, c, co + j, ldc);
            for (int j = fullCols; j < cw; j += L) {
                if (cw - j >= L) micro6x1(a, ao, aRs, aKs, b, bOff + j, bKs, kl, c, co + j, ldc);
                else micro6x1(a, ao, aRs, aKs, b, bOff + j, bKs, kl, c, co + j, ldc, cw - j);
            }
        }
        for (; i < m; i++) {
            int ao = aOff + i * aRs, co = cOff + i * ldc;
            for (int j = 0; j < fullCols; j += PW) micro1x4(a, ao, aKs, b, bOff + j, bKs, kl, c, co + j);
            for (int j = fullCols; j < cw; j += L) {
                if (cw - j >= L) micro1x1(a, ao, aKs, b, bOff + j, bKs, kl, c, co + j);
                else micro1x1(a, ao, aKs, b, bOff + j, bKs, kl, c, co + j, cw - j);
            }
        }
    }

    private static void micro6x4(float[] a, int ao, int aRs, int aKs, float[] b, int bo, int bKs, int kl,
                                 float[] c, int co, int ldc) {
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = FloatVector.fromArray(F, c, co), c01 = FloatVector.fromArray(F, c, co + L);
        FloatVector c02 = FloatVector.fromArray(F, c, co + 2 * L), c03 = FloatVector.fromArray(F, c, co + 3 * L);
        FloatVector c10 = FloatVector.fromArray(F, c, r1), c11 = FloatVector.fromArray(F, c, r1 + L);
        FloatVector c12 = FloatVector.fromArray(F, c, r1 + 2 * L), c13 = FloatVector.fromArray(F, c, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(F, c, r2), c21 = FloatVector.fromArray(F, c, r2 + L);
        FloatVector c22 = FloatVector.fromArray(F, c, r2 + 2 * L), c23 = FloatVector.fromArray(F, c, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(F, c, r3), c31 = FloatVector.fromArray(F, c, r3 + L);
        FloatVector c32 = FloatVector.fromArray(F, c, r3 + 2 * L), c33 = FloatVector.fromArray(F, c, r3 + 3 * L);
        FloatVector c40 = FloatVector.fromArray(F, c, r4), c41 = FloatVector.fromArray(F, c, r4 + L);
        FloatVector c42 = FloatVector.fromArray(F, c, r4 + 2 * L), c43 = FloatVector.fromArray(F, c, r4 + 3 * L);
        FloatVector c50 = FloatVector.fromArray(F, c, r5), c51 = FloatVector.fromArray(F, c, r5 + L);
        FloatVector c52 = FloatVector.fromArray(F, c, r5 + 2 * L), c53 = FloatVector.fromArray(F, c, r5 + 3 * L);
        int a1 = ao + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs;
        for (int q = 0; q < kl; q++) {
            int bq = bo + q * bKs, aq = q * aKs;
            FloatVector b0 = FloatVector.fromArray(F, b, bq), b1 = FloatVector.fromArray(F, b, bq + L);
            FloatVector b2 = FloatVector.fromArray(F, b, bq + 2 * L), b3 = FloatVector.fromArray(F, b, bq + 3 * L);
            FloatVector x = FloatVector.broadcast(F, a[ao + aq]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(F, a[a1 + aq]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(F, a[a2 + aq]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(F, a[a3 + aq]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(F, a[a4 + aq]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(F, a[a5 + aq]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L); c42.intoArray(c, r4 + 2 * L); c43.intoArray(c, r4 + 3 * L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L); c52.intoArray(c, r5 + 2 * L); c53.intoArray(c, r5 + 3 * L);
    }

    private static void micro1x4(float[] a, int ao, int aKs, float[] b, int bo, int bKs, int kl, float[] c, int co) {
        FloatVector c0 = FloatVector.fromArray(F, c, co), c1 = FloatVector.fromArray(F, c, co + L);
        FloatVector c2 = FloatVector.fromArray(F, c, co + 2 * L), c3 = FloatVector.fromArray(F, c, co + 3 * L);
        for (int q = 0; q < kl; q++) {
            int bq = bo + q * bKs;
            FloatVector x = FloatVector.broadcast(F, a[ao + q * aKs]);
            c0 = x.fma(FloatVector.fromArray(F, b, bq), c0);
            c1 = x.fma(FloatVector.fromArray(F, b, bq + L), c1);
            c2 = x.fma(FloatVector.fromArray(F, b, bq + 2 * L), c2);
            c3 = x.fma(FloatVector.fromArray(F, b, bq + 3 * L), c3);
        }
        c0.intoArray(c, co); c1.intoArray(c, co + L); c2.intoArray(c, co + 2 * L); c3.intoArray(c, co + 3 * L);
    }

    /**
     * Six rows, one whole vector of columns. The masked kernel below computes the same, but a product whose width is
     * not a multiple of 4L (e.g. attention over head_dim 32 with 16-lane vectors) would then run masked code on every
     * tile, and C2 was seen to drop the Vector API intrinsics for masked kernels (steps ~4x slower).
     */
    private static void micro6x1(float[] a, int ao, int aRs, int aKs, float[] b, int bo, int bKs, int kl,
                                 float[] c, int co, int ldc) {
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c0 = FloatVector.fromArray(F, c, co), c1 = FloatVector.fromArray(F, c, r1);
        FloatVector c2 = FloatVector.fromArray(F, c, r2), c3 = FloatVector.fromArray(F, c, r3);
        FloatVector c4 = FloatVector.fromArray(F, c, r4), c5 = FloatVector.fromArray(F, c, r5);
        int a1 = ao + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs;
        for (int q = 0; q < kl; q++) {
            FloatVector bv = FloatVector.fromArray(F, b, bo + q * bKs);
            int aq = q * aKs;
            c0 = FloatVector.broadcast(F, a[ao + aq]).fma(bv, c0);
            c1 = FloatVector.broadcast(F, a[a1 + aq]).fma(bv, c1);
            c2 = FloatVector.broadcast(F, a[a2 + aq]).fma(bv, c2);
            c3 = FloatVector.broadcast(F, a[a3 + aq]).fma(bv, c3);
            c4 = FloatVector.broadcast(F, a[a4 + aq]).fma(bv, c4);
            c5 = FloatVector.broadcast(F, a[a5 + aq]).fma(bv, c5);
        }
        c0.intoArray(c, co); c1.intoArray(c, r1); c2.intoArray(c, r2);
        c3.intoArray(c, r3); c4.intoArray(c, r4); c5.intoArray(c, r5);
    }

    /** Six rows, one vector of n ≤ L columns (masked). */
    private static void micro6x1(float[] a, int ao, int aRs, int aKs, float[] b, int bo, int bKs, int kl,
                                 float[] c, int co, int ldc, int n) {
        VectorMask<Float> m = Simd.floatMask(n);
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c0 = FloatVector.fromArray(F, c, co, m), c1 = FloatVector.fromArray(F, c, r1, m);
        FloatVector c2 = FloatVector.fromArray(F, c, r2, m), c3 = FloatVector.fromArray(F, c, r3, m);
        FloatVector c4 = FloatVector.fromArray(F, c, r4, m), c5 = FloatVector.fromArray(F, c, r5, m);
        int a1 = ao + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs;
        for (int q = 0; q < kl; q++) {
            FloatVector bv = FloatVector.fromArray(F, b, bo + q * bKs, m);
            int aq = q * aKs;
            c0 = FloatVector.broadcast(F, a[ao + aq]).fma(bv, c0);
            c1 = FloatVector.broadcast(F, a[a1 + aq]).fma(bv, c1);
            c2 = FloatVector.broadcast(F, a[a2 + aq]).fma(bv, c2);
            c3 = FloatVector.broadcast(F, a[a3 + aq]).fma(bv, c3);
            c4 = FloatVector.broadcast(F, a[a4 + aq]).fma(bv, c4);
            c5 = FloatVector.broadcast(F, a[a5 + aq]).fma(bv, c5);
        }
        c0.intoArray(c, co, m); c1.intoArray(c, r1, m); c2.intoArray(c, r2, m);
        c3.intoArray(c, r3, m); c4.intoArray(c, r4, m); c5.intoArray(c, r5, m);
    }

    /** One row, one whole vector of columns (unmasked, as {@link #micro6x1(float[], int, int, int, float[], int, int, int, float[], int, int)}). */
    private static void micro1x1(float[] a, int ao, int aKs, float[] b, int bo, int bKs, int kl, float[] c, int co) {
        FloatVector c0 = FloatVector.fromArray(F, c, co);
        for (int q = 0; q < kl; q++) c0 = FloatVector.broadcast(F, a[ao + q * aKs]).fma(FloatVector.fromArray(F, b, bo + q * bKs), c0);
        c0.intoArray(c, co);
    }

    private static void micro1x1(float[] a, int ao, int aKs, float[] b, int bo, int bKs, int kl, float[] c, int co, int n) {
        VectorMask<Float> m = Simd.floatMask(n);
        FloatVector c0 = FloatVector.fromArray(F, c, co, m);
        for (int q = 0; q < kl; q++) {
            c0 = FloatVector.broadcast(F, a[ao + q * aKs]).fma(FloatVector.fromArray(F, b, bo + q * bKs, m), c0);
        }
        c0.intoArray(c, co, m);
    }
}
