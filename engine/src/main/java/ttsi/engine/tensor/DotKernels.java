package ttsi.engine.tensor;

import static ttsi.engine.tensor.Simd.F;
import static ttsi.engine.tensor.Simd.L;
import static ttsi.engine.tensor.Simd.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import ttsi.engine.format.DType;

/**
 * Linear forward, y = x·Wᵀ, in "dot" layout: x rows and W rows are both contiguous along k, each output is a
 * dot product accumulated lane-wise (lane l takes k ≡ l mod L) and then tree-reduced.
 *
 * <p>The summation order of one output is fixed and shared by every path (GEMV and packed GEMM, any tile, any
 * thread count): k is cut into blocks of {@link #KC}; within a block, lane l accumulates x[k]·w[k] by FMA for
 * k = blockStart + l, + L, ... (a trailing partial vector adds exact zeros in its unused lanes); each block is
 * reduced by the fixed tree of {@link Simd}; block sums are added left to right; bias last. So a token's
 * output does not depend on how many other tokens are in the batch, or on the thread count.
 */
final class DotKernels {
    private DotKernels() {}

    /** Canonical k block (a multiple of L): part of the summation order. */
    static final int KC = 512;
    /** W rows per packed block (multiple of 4): 128 x 512 f32 = 256 KiB, sized for L2. */
    static final int NC = 128;
    /** Token rows per block (multiple of 4): bounds the tile-major output scratch. */
    static final int RB = 256;
    /** Up to this many token rows, stream W directly (no packing); above, pack and tile. */
    static final int GEMV_MAX_ROWS = Integer.getInteger("gmr", 4);

    static final int T_F32 = 0, T_BF16 = 1, T_F16 = 2;

    static int kind(DType t) {
        return switch (t) {
            case F32 -> T_F32;
            case BF16 -> T_BF16;
            case F16 -> T_F16;
        };
    }

    private static final class Scratch {
        float[] wp = new float[0], ap = new float[0], cs = new float[0], tmp = new float[16];

        float[] wp(int n) {
            if (wp.length < n) wp = new float[n];
            return wp;
        }

        float[] ap(int n) {
            if (ap.length < n) ap = new float[n];
            return ap;
        }

        float[] cs(int n) {
            if (cs.length < n) cs = new float[n];
            return cs;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * y[yOff + t·yStride + j] = Σ_k x[xOff + t·xStride + k]·w[n0+j][k] (+ bias[n0+j]) for t < rows, j < n1-n0.
     */
    static void linear(Parallel p, float[] x, int xOff, int xStride, int rows, Matrix w, int n0, int n1,
                       float[] bias, float[] y, int yOff, int yStride) {
        int n = n1 - n0;
        if (n <= 0 || rows <= 0) return;
        int k = w.cols();
        if (k == 0) {
            for (int t = 0; t < rows; t++) {
                for (int j = 0; j < n; j++) y[yOff + t * yStride + j] = bias == null ? 0f : bias[n0 + j];
            }
            return;
        }
        int groups = (n + 3) / 4;
        boolean gemv = rows <= GEMV_MAX_ROWS;
        p.forRange(groups, (g0, g1) -> {
            int from = n0 + g0 * 4, to = Math.min(n1, n0 + g1 * 4);
            if (gemv) gemv(x, xOff, xStride, rows, w, from, to, n0, bias, y, yOff, yStride);
            else gemm(x, xOff, xStride, rows, w, from, to, n0, bias, y, yOff, yStride);
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // GEMV: few token rows, W streamed straight from its segment and widened in registers.

    private static void gemv(float[] x, int xOff, int xStride, int rows, Matrix w, int from, int to, int yCol0,
                             float[] bias, float[] y, int yOff, int yStride) {
        MemorySegment seg = w.data();
        int dt = kind(w.dtype());
        int k = w.cols();
        long es = w.dtype().bytes, rowBytes = (long) k * es;
        float[] tmp = SCRATCH.get().tmp;
        // The four W rows of a step come from four separate quarters of this thread's range, so each of the
        // four load streams walks contiguous memory for a long stretch (adjacent rows interleaved would give
        // short streams that hardware prefetch never catches up with).
        int q = (to - from + 3) / 4;
        int[] rowOf = new int[4];
        for (int j = 0; j < q; j++) {
            int cnt = 0;
            for (int c = 0; c < 4; c++) {
                int nn = from + c * q + j;
                if (nn < to) rowOf[cnt++] = nn;
            }
            // A short step repeats its first row; the extra results are dropped.
            long o0 = rowOf[0] * rowBytes, o1 = rowOf[cnt > 1 ? 1 : 0] * rowBytes;
            long o2 = rowOf[cnt > 2 ? 2 : 0] * rowBytes, o3 = rowOf[cnt > 3 ? 3 : 0] * rowBytes;
            if (rows == 1) {
                gemv1(x, xOff, seg, dt, es, o0, o1, o2, o3, k, tmp);
                for (int c = 0; c < cnt; c++) {
                    int nn = rowOf[c];
                    y[yOff + nn - yCol0] = bias == null ? tmp[c] : tmp[c] + bias[nn];
                }
            } else {
                for (int t0 = 0; t0 < rows; t0 += 4) {
                    int m = Math.min(4, rows - t0);
                    int x0 = xOff + t0 * xStride;
                    // Missing rows repeat row 0 of the group; their results are dropped.
                    int x1 = m > 1 ? x0 + xStride : x0, x2 = m > 2 ? x0 + 2 * xStride : x0, x3 = m > 3 ? x0 + 3 * xStride : x0;
                    gemv4(x, x0, x1, x2, x3, seg, dt, es, o0, o1, o2, o3, k, tmp);
                    for (int r = 0; r < m; r++) {
                        int yo = yOff + (t0 + r) * yStride - yCol0;
                        for (int c = 0; c < cnt; c++) {
                            int nn = rowOf[c];
                            float v = tmp[r * 4 + c];
                            y[yo + nn] = bias == null ? v : v + bias[nn];
                        }
                    }
                }
            }
        }
    }

    private static FloatVector wload(int dt, MemorySegment seg, long off) {
        return switch (dt) {
            case T_F32 -> FloatVector.fromMemorySegment(F, seg, off, LE);
            case T_BF16 -> Simd.bf16(seg, off);
            default -> Simd.f16(seg, off);
        };
    }

    private static FloatVector wloadPart(int dt, MemorySegment seg, long off, int n) {
        return switch (dt) {
            case T_F32 -> FloatVector.fromMemorySegment(F, seg, off, LE, Simd.floatMask(n));
            case T_BF16 -> Simd.bf16(seg, off, Simd.shortMask(n));
            default -> Simd.f16(seg, off, Simd.shortMask(n));
        };
    }

    /** One token row against four W rows (byte offsets o0..o3); out[c] = result for row c. */
    private static void gemv1(float[] x, int xo, MemorySegment seg, int dt, long es, long o0, long o1, long o2, long o3,
                              int k, float[] out) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int kb = 0; kb < k; kb += KC) {
            int ke = Math.min(k, kb + KC);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int i = kb;
            for (; i <= ke - L; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + i);
                long b = i * es;
                a0 = wload(dt, seg, o0 + b).fma(xv, a0);
                a1 = wload(dt, seg, o1 + b).fma(xv, a1);
                a2 = wload(dt, seg, o2 + b).fma(xv, a2);
                a3 = wload(dt, seg, o3 + b).fma(xv, a3);
            }
            if (i < ke) {
                int rem = ke - i;
                FloatVector xv = FloatVector.fromArray(F, x, xo + i, Simd.floatMask(rem));
                long b = i * es;
                a0 = wloadPart(dt, seg, o0 + b, rem).fma(xv, a0);
                a1 = wloadPart(dt, seg, o1 + b, rem).fma(xv, a1);
                a2 = wloadPart(dt, seg, o2 + b, rem).fma(xv, a2);
                a3 = wloadPart(dt, seg, o3 + b, rem).fma(xv, a3);
            }
            float r0, r1, r2, r3;
            if (L == 16) {
                // Tree over four accumulators at once: results land in lanes 0, 8, 4, 12.
                VectorMask<Float> m8 = Simd.M8, m4 = Simd.M4;
                FloatVector p = a0.blend(a1, m8).add(a1.blend(a0, m8).rearrange(Simd.X8));
                FloatVector q = a2.blend(a3, m8).add(a3.blend(a2, m8).rearrange(Simd.X8));
                FloatVector u = p.blend(q, m4).add(q.blend(p, m4).rearrange(Simd.X4));
                u = u.add(u.rearrange(Simd.X2));
                u = u.add(u.rearrange(Simd.X1));
                r0 = u.lane(0);
                r1 = u.lane(8);
                r2 = u.lane(4);
                r3 = u.lane(12);
            } else {
                r0 = Simd.reduce(a0);
                r1 = Simd.reduce(a1);
                r2 = Simd.reduce(a2);
                r3 = Simd.reduce(a3);
            }
            if (kb == 0) {
                s0 = r0;
                s1 = r1;
                s2 = r2;
                s3 = r3;
            } else {
                s0 += r0;
                s1 += r1;
                s2 += r2;
                s3 += r3;
            }
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /** Four token rows (offsets x0..x3) against four W rows; out[r*4+c]. */
    private static void gemv4(float[] x, int x0, int x1, int x2, int x3, MemorySegment seg, int dt, long es,
                              long o0, long o1, long o2, long o3, int k, float[] out) {
        FloatVector sum = FloatVector.zero(F);
        for (int kb = 0; kb < k; kb += KC) {
            int ke = Math.min(k, kb + KC);
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                    c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
            int i = kb;
            for (; i <= ke - L; i += L) {
                long b = i * es;
                FloatVector w0 = wload(dt, seg, o0 + b), w1 = wload(dt, seg, o1 + b);
                FloatVector w2 = wload(dt, seg, o2 + b), w3 = wload(dt, seg, o3 + b);
                FloatVector xv = FloatVector.fromArray(F, x, x0 + i);
                c00 = xv.fma(w0, c00); c01 = xv.fma(w1, c01); c02 = xv.fma(w2, c02); c03 = xv.fma(w3, c03);
                xv = FloatVector.fromArray(F, x, x1 + i);
                c10 = xv.fma(w0, c10); c11 = xv.fma(w1, c11); c12 = xv.fma(w2, c12); c13 = xv.fma(w3, c13);
                xv = FloatVector.fromArray(F, x, x2 + i);
                c20 = xv.fma(w0, c20); c21 = xv.fma(w1, c21); c22 = xv.fma(w2, c22); c23 = xv.fma(w3, c23);
                xv = FloatVector.fromArray(F, x, x3 + i);
                c30 = xv.fma(w0, c30); c31 = xv.fma(w1, c31); c32 = xv.fma(w2, c32); c33 = xv.fma(w3, c33);
            }
            if (i < ke) {
                int rem = ke - i;
                long b = i * es;
                VectorMask<Float> m = Simd.floatMask(rem);
                FloatVector w0 = wloadPart(dt, seg, o0 + b, rem), w1 = wloadPart(dt, seg, o1 + b, rem);
                FloatVector w2 = wloadPart(dt, seg, o2 + b, rem), w3 = wloadPart(dt, seg, o3 + b, rem);
                FloatVector xv = FloatVector.fromArray(F, x, x0 + i, m);
                c00 = xv.fma(w0, c00); c01 = xv.fma(w1, c01); c02 = xv.fma(w2, c02); c03 = xv.fma(w3, c03);
                xv = FloatVector.fromArray(F, x, x1 + i, m);
                c10 = xv.fma(w0, c10); c11 = xv.fma(w1, c11); c12 = xv.fma(w2, c12); c13 = xv.fma(w3, c13);
                xv = FloatVector.fromArray(F, x, x2 + i, m);
                c20 = xv.fma(w0, c20); c21 = xv.fma(w1, c21); c22 = xv.fma(w2, c22); c23 = xv.fma(w3, c23);
                xv = FloatVector.fromArray(F, x, x3 + i, m);
                c30 = xv.fma(w0, c30); c31 = xv.fma(w1, c31); c32 = xv.fma(w2, c32); c33 = xv.fma(w3, c33);
            }
            if (L == 16) {
                // Simd.comb written out: C2 gives up inlining that many small vector calls.
                VectorMask<Float> m8 = Simd.M8, m4 = Simd.M4, m2 = Simd.M2, m1 = Simd.M1;
                VectorShuffle<Float> s8 = Simd.X8, s4 = Simd.X4, s2 = Simd.X2, s1 = Simd.X1;
                FloatVector v00 = c00.blend(c20, m8).add(c20.blend(c00, m8).rearrange(s8));
                FloatVector v01 = c01.blend(c21, m8).add(c21.blend(c01, m8).rearrange(s8));
                FloatVector v02 = c02.blend(c22, m8).add(c22.blend(c02, m8).rearrange(s8));
                FloatVector v03 = c03.blend(c23, m8).add(c23.blend(c03, m8).rearrange(s8));
                FloatVector v10 = c10.blend(c30, m8).add(c30.blend(c10, m8).rearrange(s8));
                FloatVector v11 = c11.blend(c31, m8).add(c31.blend(c11, m8).rearrange(s8));
                FloatVector v12 = c12.blend(c32, m8).add(c32.blend(c12, m8).rearrange(s8));
                FloatVector v13 = c13.blend(c33, m8).add(c33.blend(c13, m8).rearrange(s8));
                FloatVector u0 = v00.blend(v10, m4).add(v10.blend(v00, m4).rearrange(s4));
                FloatVector u1 = v01.blend(v11, m4).add(v11.blend(v01, m4).rearrange(s4));
                FloatVector u2 = v02.blend(v12, m4).add(v12.blend(v02, m4).rearrange(s4));
                FloatVector u3 = v03.blend(v13, m4).add(v13.blend(v03, m4).rearrange(s4));
                FloatVector q0 = u0.blend(u2, m2).add(u2.blend(u0, m2).rearrange(s2));
                FloatVector q1 = u1.blend(u3, m2).add(u3.blend(u1, m2).rearrange(s2));
                FloatVector r = q0.blend(q1, m1).add(q1.blend(q0, m1).rearrange(s1));
                sum = kb == 0 ? r : sum.add(r);
            } else {
                float[] t = {Simd.reduce(c00), Simd.reduce(c01), Simd.reduce(c02), Simd.reduce(c03),
                        Simd.reduce(c10), Simd.reduce(c11), Simd.reduce(c12), Simd.reduce(c13),
                        Simd.reduce(c20), Simd.reduce(c21), Simd.reduce(c22), Simd.reduce(c23),
                        Simd.reduce(c30), Simd.reduce(c31), Simd.reduce(c32), Simd.reduce(c33)};
                for (int j = 0; j < 16; j++) out[j] = kb == 0 ? t[j] : out[j] + t[j];
            }
        }
        if (L == 16) sum.intoArray(out, 0);
    }

    // ------------------------------------------------------------------------------------------------------
    // Packed GEMM: a block of W rows x KC is widened once into an f32 panel, then all token rows sweep it in
    // 4x4 register tiles; per-tile partial sums live in a tile-major scratch until the last k block.

    /** Rows per register tile, and where output (r, c) of a tile sits in its 32-float scratch slot. */
    static final int MR = 6;
    private static final int[] TILE_LANE = tileLanes();

    private static int[] tileLanes() {
        int[] lane = new int[MR * 4];
        for (int c = 0; c < 4; c++) {
            for (int r = 0; r < 4; r++) lane[r * 4 + c] = r * 4 + c;
            // Rows 4, 5: second vector, see tile().
            for (int r = 4; r < 6; r++) lane[r * 4 + c] = 16 + (r - 4) * 8 + (c & 1) * 4 + (c >> 1) * 2;
        }
        return lane;
    }

    private static void gemm(float[] x, int xOff, int xStride, int rows, Matrix w, int from, int to, int yCol0,
                             float[] bias, float[] y, int yOff, int yStride) {
        Scratch s = SCRATCH.get();
        int k = w.cols();
        for (int nb = from; nb < to; nb += NC) {
            int nbe = Math.min(to, nb + NC);
            int panels = (nbe - nb + 3) / 4;
            for (int rb = 0; rb < rows; rb += RB) {
                int rbe = Math.min(rows, rb + RB);
                int tiles = (rbe - rb + MR - 1) / MR;
                float[] cs = s.cs(tiles * panels * 32);
                for (int kb = 0; kb < k; kb += KC) {
                    int kc = Math.min(KC, k - kb), kp = Simd.roundUp(kc, L);
                    float[] wp = s.wp(panels * 4 * kp);
                    packW(w, nb, nbe, panels * 4, kb, kc, kp, wp);
                    float[] ap = s.ap(MR * kp);
                    boolean first = kb == 0;
                    for (int rt = 0; rt < tiles; rt++) {
                        int t0 = rb + rt * MR;
                        packA(x, xOff, xStride, t0, Math.min(MR, rbe - t0), kb, kc, kp, ap);
                        int ci = rt * panels * 32;
                        for (int pn = 0; pn < panels; pn++, ci += 32) {
                            tile(ap, wp, pn * 4 * kp, kp, cs, ci, first);
                        }
                    }
                }
                // Scatter the tile-major sums to y, bias last.
                for (int rt = 0; rt < tiles; rt++) {
                    for (int pn = 0; pn < panels; pn++) {
                        int ci = (rt * panels + pn) * 32;
                        for (int r = 0; r < MR; r++) {
                            int t = rb + rt * MR + r;
                            if (t >= rbe) break;
                            int yo = yOff + t * yStride - yCol0;
                            for (int c = 0; c < 4; c++) {
                                int nn = nb + pn * 4 + c;
                                if (nn >= nbe) break;
                                float v = cs[ci + TILE_LANE[r * 4 + c]];
                                y[yo + nn] = bias == null ? v : v + bias[nn];
                            }
                        }
                    }
                }
            }
        }
    }

    /** W rows [n, ne) x columns [kb, kb+kc) widened into wp[r*kp + i]; rows up to nRows and columns up to kp zero. */
    private static void packW(Matrix w, int n, int ne, int nRows, int kb, int kc, int kp, float[] wp) {
        MemorySegment seg = w.data();
        int dt = kind(w.dtype());
        long es = w.dtype().bytes, rowBytes = (long) w.cols() * es;
        for (int r = 0; r < ne - n; r++) {
            long base = (n + r) * rowBytes + kb * es;
            int o = r * kp;
            if (dt == T_F32) {
                MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED, base, wp, o, kc);
                if (kp > kc) Arrays.fill(wp, o + kc, o + kp, 0f);
                continue;
            }
            int i = 0;
            for (; i <= kc - L; i += L) wload(dt, seg, base + i * es).intoArray(wp, o + i);
            if (i < kc) wloadPart(dt, seg, base + i * es, kc - i).intoArray(wp, o + i);
        }
        if (ne - n < nRows) Arrays.fill(wp, (ne - n) * kp, nRows * kp, 0f);
    }

    /** m token rows from t0, columns [kb, kb+kc), into ap[r*kp + i], zero-padded to MR rows x kp. */
    private static void packA(float[] x, int xOff, int xStride, int t0, int m, int kb, int kc, int kp, float[] ap) {
        for (int r = 0; r < m; r++) {
            System.arraycopy(x, xOff + (t0 + r) * xStride + kb, ap, r * kp, kc);
            if (kp > kc) Arrays.fill(ap, r * kp + kc, (r + 1) * kp, 0f);
        }
        if (m < MR) Arrays.fill(ap, m * kp, MR * kp, 0f);
    }

    /**
     * 6 packed token rows x 4 packed W rows over one k block; stores (first) or adds the 24 sums into the
     * 32-float slot cs[ci]: rows 0-3 as lane r*4+c of the first vector, rows 4-5 per {@link #TILE_LANE}.
     */
    private static void tile(float[] a, float[] w, int wo, int kp, float[] cs, int ci, boolean first) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00,
                c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int a1 = kp, a2 = 2 * kp, a3 = 3 * kp, a4 = 4 * kp, a5 = 5 * kp, w1 = wo + kp, w2 = wo + 2 * kp, w3 = wo + 3 * kp;
        for (int i = 0; i < kp; i += L) {
            FloatVector b0 = FloatVector.fromArray(F, w, wo + i), b1 = FloatVector.fromArray(F, w, w1 + i);
            FloatVector b2 = FloatVector.fromArray(F, w, w2 + i), b3 = FloatVector.fromArray(F, w, w3 + i);
            FloatVector xv = FloatVector.fromArray(F, a, i);
            c00 = xv.fma(b0, c00); c01 = xv.fma(b1, c01); c02 = xv.fma(b2, c02); c03 = xv.fma(b3, c03);
            xv = FloatVector.fromArray(F, a, a1 + i);
            c10 = xv.fma(b0, c10); c11 = xv.fma(b1, c11); c12 = xv.fma(b2, c12); c13 = xv.fma(b3, c13);
            xv = FloatVector.fromArray(F, a, a2 + i);
            c20 = xv.fma(b0, c20); c21 = xv.fma(b1, c21); c22 = xv.fma(b2, c22); c23 = xv.fma(b3, c23);
            xv = FloatVector.fromArray(F, a, a3 + i);
            c30 = xv.fma(b0, c30); c31 = xv.fma(b1, c31); c32 = xv.fma(b2, c32); c33 = xv.fma(b3, c33);
            xv = FloatVector.fromArray(F, a, a4 + i);
            c40 = xv.fma(b0, c40); c41 = xv.fma(b1, c41); c42 = xv.fma(b2, c42); c43 = xv.fma(b3, c43);
            xv = FloatVector.fromArray(F, a, a5 + i);
            c50 = xv.fma(b0, c50); c51 = xv.fma(b1, c51); c52 = xv.fma(b2, c52); c53 = xv.fma(b3, c53);
        }
        if (L == 16) {
            // Simd.comb written out: C2 gives up inlining that many small vector calls.
            VectorMask<Float> m8 = Simd.M8, m4 = Simd.M4, m2 = Simd.M2, m1 = Simd.M1;
            VectorShuffle<Float> s8 = Simd.X8, s4 = Simd.X4, s2 = Simd.X2, s1 = Simd.X1;
            // Rows 0-3: rows r, r+2 at h=8; r, r+1 at h=4; columns c, c+2 at h=2; c, c+1 at h=1.
            FloatVector v00 = c00.blend(c20, m8).add(c20.blend(c00, m8).rearrange(s8));
            FloatVector v01 = c01.blend(c21, m8).add(c21.blend(c01, m8).rearrange(s8));
            FloatVector v02 = c02.blend(c22, m8).add(c22.blend(c02, m8).rearrange(s8));
            FloatVector v03 = c03.blend(c23, m8).add(c23.blend(c03, m8).rearrange(s8));
            FloatVector v10 = c10.blend(c30, m8).add(c30.blend(c10, m8).rearrange(s8));
            FloatVector v11 = c11.blend(c31, m8).add(c31.blend(c11, m8).rearrange(s8));
            FloatVector v12 = c12.blend(c32, m8).add(c32.blend(c12, m8).rearrange(s8));
            FloatVector v13 = c13.blend(c33, m8).add(c33.blend(c13, m8).rearrange(s8));
            FloatVector u0 = v00.blend(v10, m4).add(v10.blend(v00, m4).rearrange(s4));
            FloatVector u1 = v01.blend(v11, m4).add(v11.blend(v01, m4).rearrange(s4));
            FloatVector u2 = v02.blend(v12, m4).add(v12.blend(v02, m4).rearrange(s4));
            FloatVector u3 = v03.blend(v13, m4).add(v13.blend(v03, m4).rearrange(s4));
            FloatVector q0 = u0.blend(u2, m2).add(u2.blend(u0, m2).rearrange(s2));
            FloatVector q1 = u1.blend(u3, m2).add(u3.blend(u1, m2).rearrange(s2));
            FloatVector r = q0.blend(q1, m1).add(q1.blend(q0, m1).rearrange(s1));
            // Rows 4-5: rows 4, 5 at h=8; columns c, c+1 at h=4; pairs {0,1}, {2,3} at h=2; h=1 on itself.
            FloatVector e0 = c40.blend(c50, m8).add(c50.blend(c40, m8).rearrange(s8));
            FloatVector e1 = c41.blend(c51, m8).add(c51.blend(c41, m8).rearrange(s8));
            FloatVector e2 = c42.blend(c52, m8).add(c52.blend(c42, m8).rearrange(s8));
            FloatVector e3 = c43.blend(c53, m8).add(c53.blend(c43, m8).rearrange(s8));
            FloatVector f0 = e0.blend(e1, m4).add(e1.blend(e0, m4).rearrange(s4));
            FloatVector f1 = e2.blend(e3, m4).add(e3.blend(e2, m4).rearrange(s4));
            FloatVector g = f0.blend(f1, m2).add(f1.blend(f0, m2).rearrange(s2));
            g = g.add(g.rearrange(s1));
            if (!first) {
                r = r.add(FloatVector.fromArray(F, cs, ci));
                g = g.add(FloatVector.fromArray(F, cs, ci + 16));
            }
            r.intoArray(cs, ci);
            g.intoArray(cs, ci + 16);
        } else {
            float[] t = {Simd.reduce(c00), Simd.reduce(c01), Simd.reduce(c02), Simd.reduce(c03),
                    Simd.reduce(c10), Simd.reduce(c11), Simd.reduce(c12), Simd.reduce(c13),
                    Simd.reduce(c20), Simd.reduce(c21), Simd.reduce(c22), Simd.reduce(c23),
                    Simd.reduce(c30), Simd.reduce(c31), Simd.reduce(c32), Simd.reduce(c33),
                    Simd.reduce(c40), Simd.reduce(c41), Simd.reduce(c42), Simd.reduce(c43),
                    Simd.reduce(c50), Simd.reduce(c51), Simd.reduce(c52), Simd.reduce(c53)};
            for (int j = 0; j < t.length; j++) {
                int o = ci + TILE_LANE[j];
                cs[o] = first ? t[j] : cs[o] + t[j];
            }
        }
    }
}
