package ttsi.engine.tensor;

import static ttsi.engine.tensor.Simd.F;
import static ttsi.engine.tensor.Simd.L;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Linear forward, y = x·Wᵀ, in "dot" layout: x rows and W rows are both contiguous along k, so W needs no
 * transposition (bf16 is widened on the fly or by a plain copy) and each output is a dot product.
 *
 * <p>Summation order of one output, shared by every path (GEMV, packed GEMM, any tile position, any thread
 * count, any number of token rows): k is cut into blocks of {@link #kBlock}(k) columns; in each block, lane l of an L-lane
 * vector starts at +0 and takes, by FMA in increasing k, the products x[k]·w[k] for k ≡ l (mod L) (a zero-padded
 * last vector adds exact zeros); the block vectors are added lane-wise in block order; the lanes are summed by
 * the fixed tree of {@link Simd}; the bias is added last. So a token's output is bit-identical whether it is
 * computed alone (decode) or inside a batch (prefill), and for any thread count.
 *
 * <p>Code shape matters to C2 here: FMA loops start from zero vectors (loop-carried vectors that start from
 * loaded values ran ~30% slower), the lane-reduction trees live in separate methods (inlined into the
 * loop's method they also slowed the loop down), and a loop's vectors go nowhere but into stores written out in
 * its method: vectors that meet another path's at a phi, or are passed to a call C2 does not inline, are boxed,
 * and C2 then boxes the loop's vectors at every step (one object per FMA; decode 6-7x slower).
 */
final class DotKernels {
    private DotKernels() {}

    /** k block (multiple of L) beyond SINGLE_BLOCK_MAX_K: part of the summation order above, and the GEMM's packing depth. */
    static final int KC = 1024;
    /**
     * Up to this k all of k is one block. At k = 1,536 (1.5B's hidden size: its q/k/v/o/gate/up projections) one block
     * ran ~7% faster than blocks of 1,024 + 512, since the GEMM then packs W once for all token rows and parks no
     * accumulators between blocks; blocks of 1,536 for a larger k ran ~5% slower than KC (a row tile and a W panel no
     * longer fit L1 together).
     */
    static final int SINGLE_BLOCK_MAX_K = 1536;

    /** The k block of a product over k columns (see the summation order above). */
    static int kBlock(int k) {
        return k <= SINGLE_BLOCK_MAX_K ? k : KC;
    }

    /** W rows per packed block (multiple of 4): 64 x 1,536 f32 = 384 KiB at most, sized for L2. */
    static final int NC = 64;
    /** Token rows per block (multiple of MR): bounds the parked accumulators to 16 x 16 tiles x 1.5 KiB. */
    static final int RB = 96;
    /** Token rows per register tile. */
    static final int MR = 6;
    /** bf16 weights with up to this many token rows take the streaming GEMV path; all else the packed GEMM. */
    static final int GEMV_MAX_ROWS = 16;

    /**
     * Up to this many multiply-adds a call stays on the caller's thread: handing work to the pool costs a few
     * microseconds, more than e.g. a whole 128x896 decode GEMV. Results do not depend on it.
     */
    static final long SERIAL_MACS = 1 << 18;

    private static final class Scratch {
        float[] acc = new float[0], row = new float[0], xb = new float[0];
        // The GEMM's packed panels live in native memory aligned to 64 bytes: a 64-byte load that straddles two
        // cache lines costs about two, and float[] data cannot be aligned (the tile ran ~25% slower from arrays).
        MemorySegment wp = MemorySegment.NULL, ap = MemorySegment.NULL;
        final float[] res = new float[32];
        final float[] part = new float[ACC];
        final float[] blk = new float[16 * 16]; // a GEMV step's block vectors while they take a tail

        MemorySegment wp(int floats) {
            if (wp.byteSize() < 4L * floats) wp = Arena.ofAuto().allocate(4L * floats, 64);
            return wp;
        }

        MemorySegment ap(int floats) {
            if (ap.byteSize() < 4L * floats) ap = Arena.ofAuto().allocate(4L * floats, 64);
            return ap;
        }

        float[] acc(int n) {
            if (acc.length < n) acc = new float[n];
            return acc;
        }

        float[] xb(int n) {
            if (xb.length < n) xb = new float[n];
            return xb;
        }

        float[] row(int n) {
            if (row.length < n) row = new float[n];
            return row;
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
        boolean gemv = rows <= GEMV_MAX_ROWS && (w.dtype() == DType.BF16 || w.dtype() == DType.Q8_0);
        Parallel.RangeBody body = (g0, g1) -> {
            int from = n0 + g0 * 4, to = Math.min(n1, n0 + g1 * 4);
            if (gemv) gemv(x, xOff, xStride, rows, w, from, to, n0, bias, y, yOff, yStride);
            else gemm(x, xOff, xStride, rows, w, from, to, n0, bias, y, yOff, yStride);
        };
        if ((long) rows * n * k <= SERIAL_MACS) body.run(0, groups);
        else p.forRange(groups, body);
    }

    // ------------------------------------------------------------------------------------------------------
    // GEMV (bf16 or Q8_0, few token rows): W streamed once straight from its segment, widened in registers, and
    // every token row run against each group of four W rows while they are in L1.

    private static void gemv(float[] x, int xOff, int xStride, int rows, Matrix w, int from, int to, int yCol0,
                             float[] bias, float[] y, int yOff, int yStride) {
        Scratch s = SCRATCH.get();
        MemorySegment seg = w.data();
        boolean q8 = w.dtype() == DType.Q8_0;
        // One Q8_0 row (decode) sums in an order of its own anyway (dot1x4Q8), and ran ~11% faster over blocks of KC
        // than over one 1,536-column block (1.5B decode).
        int k = w.cols(), kpad = Simd.roundUp(k, L), kBlock = q8 && rows == 1 ? KC : kBlock(k);
        long rowBytes = w.dtype().rowBytes(k);
        // Token rows zero-padded to kpad columns and to whole groups of 4 rows.
        int groups = (rows + 3) / 4;
        float[] xb = s.xb(groups * 4 * kpad);
        for (int t = 0; t < groups * 4; t++) {
            if (t < rows) {
                System.arraycopy(x, xOff + t * xStride, xb, t * kpad, k);
                Arrays.fill(xb, t * kpad + k, (t + 1) * kpad, 0f);
            } else {
                Arrays.fill(xb, t * kpad, (t + 1) * kpad, 0f);
            }
        }
        float[] res = s.res, acc = s.acc(16 * 16);
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
            for (int g = 0; g < groups; g++) {
                for (int kb = 0; kb < k; kb += kBlock) {
                    int kc = Math.min(kBlock, k - kb);
                    if (q8) {
                        // k is a multiple of the block (Matrix checks it), so kc is too and x needs no padding.
                        if (rows == 1) dot1x4Q8(xb, seg, o0, o1, o2, o3, k, kb, kc, acc, kb == 0);
                        else dot4x4Q8(xb, g * 4 * kpad, kpad, seg, o0, o1, o2, o3, k, kb, kc, acc, kb == 0);
                        continue;
                    }
                    long b = w.dtype().byteSize(kb);
                    if (rows == 1) {
                        dot1x4Bf16(xb, kb, seg, o0 + b, o1 + b, o2 + b, o3 + b, kc, acc, s.blk, kb == 0);
                    } else {
                        dot4x4Bf16(xb, g * 4 * kpad + kb, kpad, seg, o0 + b, o1 + b, o2 + b, o3 + b, kc, acc, s.blk, kb == 0);
                    }
                }
                if (rows == 1) reduce1x4(acc, res);
                else reduce4x4(acc, 0, res);
                for (int r = 0; r < 4 && g * 4 + r < rows; r++) {
                    int yo = yOff + (g * 4 + r) * yStride - yCol0;
                    for (int c = 0; c < cnt; c++) {
                        int nn = rowOf[c];
                        float v = res[r * 4 + c];
                        y[yo + nn] = bias == null ? v : v + bias[nn];
                    }
                }
            }
        }
    }

    /**
     * One k block (kc ≤ kBlock(k) columns) of one token row (a[ao..], zero-padded) against four bf16 W rows at byte
     * offsets o0..o3: the four block vectors are stored (first) or added to acc[0..64).
     */
    private static void dot1x4Bf16(float[] a, int ao, MemorySegment seg, long o0, long o1, long o2, long o3, int kc,
                                   float[] acc, float[] blk, boolean first) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= kc - L; i += L) {
            FloatVector xv = FloatVector.fromArray(F, a, ao + i);
            long b = 2L * i;
            a0 = Simd.bf16(seg, o0 + b).fma(xv, a0);
            a1 = Simd.bf16(seg, o1 + b).fma(xv, a1);
            a2 = Simd.bf16(seg, o2 + b).fma(xv, a2);
            a3 = Simd.bf16(seg, o3 + b).fma(xv, a3);
        }
        // The loop's vectors go nowhere but into stores written out here. A tail (kc not a multiple of L) takes them
        // from blk: vectors that meet at a phi, or reach a call C2 does not inline, are boxed, and C2 then boxes the
        // loop's vectors at every step (decode ~6x slower in a process that had once run a tail). Same FMAs on the
        // same values, so the same bits.
        if (i < kc) {
            a0.intoArray(blk, 0); a1.intoArray(blk, 16); a2.intoArray(blk, 32); a3.intoArray(blk, 48);
            tail1x4Bf16(a, ao + i, seg, o0 + 2L * i, o1 + 2L * i, o2 + 2L * i, o3 + 2L * i, kc - i, blk);
            parkBlock(acc, blk, 4, first);
        } else if (first) {
            a0.intoArray(acc, 0); a1.intoArray(acc, 16); a2.intoArray(acc, 32); a3.intoArray(acc, 48);
        } else {
            a0.add(FloatVector.fromArray(F, acc, 0)).intoArray(acc, 0);
            a1.add(FloatVector.fromArray(F, acc, 16)).intoArray(acc, 16);
            a2.add(FloatVector.fromArray(F, acc, 32)).intoArray(acc, 32);
            a3.add(FloatVector.fromArray(F, acc, 48)).intoArray(acc, 48);
        }
    }

    /** The last n < L columns of {@link #dot1x4Bf16}, on the block vectors at blk[c*16]: masked W loads stay inside the segment; the padded x lanes are zero. */
    private static void tail1x4Bf16(float[] a, int ao, MemorySegment seg, long o0, long o1, long o2, long o3, int n, float[] blk) {
        VectorMask<Short> m = Simd.shortMask(n);
        FloatVector xv = FloatVector.fromArray(F, a, ao);
        Simd.bf16(seg, o0, m).fma(xv, FloatVector.fromArray(F, blk, 0)).intoArray(blk, 0);
        Simd.bf16(seg, o1, m).fma(xv, FloatVector.fromArray(F, blk, 16)).intoArray(blk, 16);
        Simd.bf16(seg, o2, m).fma(xv, FloatVector.fromArray(F, blk, 32)).intoArray(blk, 32);
        Simd.bf16(seg, o3, m).fma(xv, FloatVector.fromArray(F, blk, 48)).intoArray(blk, 48);
    }

    /** The block vectors at blk[v*16], v < n, stored (first k block) or added to acc[v*16]: what the park code does, from memory. */
    private static void parkBlock(float[] acc, float[] blk, int n, boolean first) {
        for (int o = 0; o < 16 * n; o += 16) {
            if (first) System.arraycopy(blk, o, acc, o, L);
            else FloatVector.fromArray(F, blk, o).add(FloatVector.fromArray(F, acc, o)).intoArray(acc, o);
        }
    }

    /**
     * {@link #dot1x4Bf16} over Q8_0 rows of k values at byte offsets o0..o3 (their columns kb .. kb+kc): the one-token
     * (decode) kernel, which factors each block's scale out of the block's sum as llama.cpp does, s = Σ q·x then
     * acc += d·s: a multiply per 32 weights instead of per weight (with the values in one aligned stream, 11-12% more
     * weights per second from memory). So a decoded row differs from the same row inside a batch, which sums the
     * dequantized values d·q, by rounding (bf16 keeps them bit-identical).
     */
    private static void dot1x4Q8(float[] a, MemorySegment seg, long o0, long o1, long o2, long o3, int k, int kb, int kc,
                                 float[] acc, boolean first) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long v0 = Q8Blocks.valueAt(o0, k, 0), v1 = Q8Blocks.valueAt(o1, k, 0), v2 = Q8Blocks.valueAt(o2, k, 0), v3 = Q8Blocks.valueAt(o3, k, 0);
        for (int i = kb; i < kb + kc; i += DType.Q8_BLOCK) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int j = 0; j < DType.Q8_BLOCK; j += L) {
                FloatVector xv = FloatVector.fromArray(F, a, i + j);
                s0 = Simd.q8(seg, v0 + i + j).fma(xv, s0);
                s1 = Simd.q8(seg, v1 + i + j).fma(xv, s1);
                s2 = Simd.q8(seg, v2 + i + j).fma(xv, s2);
                s3 = Simd.q8(seg, v3 + i + j).fma(xv, s3);
            }
            int blk = i / DType.Q8_BLOCK;
            a0 = s0.fma(FloatVector.broadcast(F, Simd.q8Scale(seg, o0, blk)), a0);
            a1 = s1.fma(FloatVector.broadcast(F, Simd.q8Scale(seg, o1, blk)), a1);
            a2 = s2.fma(FloatVector.broadcast(F, Simd.q8Scale(seg, o2, blk)), a2);
            a3 = s3.fma(FloatVector.broadcast(F, Simd.q8Scale(seg, o3, blk)), a3);
        }
        // Parked by stores written out here, as in dot1x4Bf16: vectors passed to a call C2 does not inline are boxed.
        if (first) {
            a0.intoArray(acc, 0); a1.intoArray(acc, 16); a2.intoArray(acc, 32); a3.intoArray(acc, 48);
        } else {
            a0.add(FloatVector.fromArray(F, acc, 0)).intoArray(acc, 0);
            a1.add(FloatVector.fromArray(F, acc, 16)).intoArray(acc, 16);
            a2.add(FloatVector.fromArray(F, acc, 32)).intoArray(acc, 32);
            a3.add(FloatVector.fromArray(F, acc, 48)).intoArray(acc, 48);
        }
    }

    /**
     * Four token rows (a[ao + r·as ..]) against four Q8_0 rows, columns kb .. kb+kc: each int8 vector widened and
     * times its block's scale, exactly the dequantized values, so the sums are those of an f32 matrix holding them,
     * bit for bit (as in a prefill). 16 block vectors at acc[(r*4 + c)*16].
     */
    private static void dot4x4Q8(float[] a, int ao, int as, MemorySegment seg, long o0, long o1, long o2, long o3, int k,
                                 int kb, int kc, float[] acc, boolean first) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int x1 = ao + as, x2 = x1 + as, x3 = x2 + as;
        long v0 = Q8Blocks.valueAt(o0, k, 0), v1 = Q8Blocks.valueAt(o1, k, 0), v2 = Q8Blocks.valueAt(o2, k, 0), v3 = Q8Blocks.valueAt(o3, k, 0);
        for (int i = kb; i < kb + kc; i += DType.Q8_BLOCK) {
            int blk = i / DType.Q8_BLOCK;
            float d0 = Simd.q8Scale(seg, o0, blk), d1 = Simd.q8Scale(seg, o1, blk);
            float d2 = Simd.q8Scale(seg, o2, blk), d3 = Simd.q8Scale(seg, o3, blk);
            for (int j = 0; j < DType.Q8_BLOCK; j += L) {
                int kk = i + j;
                FloatVector b0 = Simd.q8(seg, v0 + kk, d0), b1 = Simd.q8(seg, v1 + kk, d1);
                FloatVector b2 = Simd.q8(seg, v2 + kk, d2), b3 = Simd.q8(seg, v3 + kk, d3);
                FloatVector xv = FloatVector.fromArray(F, a, ao + kk);
                c00 = xv.fma(b0, c00); c01 = xv.fma(b1, c01); c02 = xv.fma(b2, c02); c03 = xv.fma(b3, c03);
                xv = FloatVector.fromArray(F, a, x1 + kk);
                c10 = xv.fma(b0, c10); c11 = xv.fma(b1, c11); c12 = xv.fma(b2, c12); c13 = xv.fma(b3, c13);
                xv = FloatVector.fromArray(F, a, x2 + kk);
                c20 = xv.fma(b0, c20); c21 = xv.fma(b1, c21); c22 = xv.fma(b2, c22); c23 = xv.fma(b3, c23);
                xv = FloatVector.fromArray(F, a, x3 + kk);
                c30 = xv.fma(b0, c30); c31 = xv.fma(b1, c31); c32 = xv.fma(b2, c32); c33 = xv.fma(b3, c33);
            }
        }
        // Written out in each 4x4 kernel: a method taking the 16 vectors is not inlined and boxes them (20x slower).
        if (first) {
            c00.intoArray(acc, 0);
            c01.intoArray(acc, 16);
            c02.intoArray(acc, 32);
            c03.intoArray(acc, 48);
            c10.intoArray(acc, 64);
            c11.intoArray(acc, 80);
            c12.intoArray(acc, 96);
            c13.intoArray(acc, 112);
            c20.intoArray(acc, 128);
            c21.intoArray(acc, 144);
            c22.intoArray(acc, 160);
            c23.intoArray(acc, 176);
            c30.intoArray(acc, 192);
            c31.intoArray(acc, 208);
            c32.intoArray(acc, 224);
            c33.intoArray(acc, 240);
        } else {
            c00.add(FloatVector.fromArray(F, acc, 0)).intoArray(acc, 0);
            c01.add(FloatVector.fromArray(F, acc, 16)).intoArray(acc, 16);
            c02.add(FloatVector.fromArray(F, acc, 32)).intoArray(acc, 32);
            c03.add(FloatVector.fromArray(F, acc, 48)).intoArray(acc, 48);
            c10.add(FloatVector.fromArray(F, acc, 64)).intoArray(acc, 64);
            c11.add(FloatVector.fromArray(F, acc, 80)).intoArray(acc, 80);
            c12.add(FloatVector.fromArray(F, acc, 96)).intoArray(acc, 96);
            c13.add(FloatVector.fromArray(F, acc, 112)).intoArray(acc, 112);
            c20.add(FloatVector.fromArray(F, acc, 128)).intoArray(acc, 128);
            c21.add(FloatVector.fromArray(F, acc, 144)).intoArray(acc, 144);
            c22.add(FloatVector.fromArray(F, acc, 160)).intoArray(acc, 160);
            c23.add(FloatVector.fromArray(F, acc, 176)).intoArray(acc, 176);
            c30.add(FloatVector.fromArray(F, acc, 192)).intoArray(acc, 192);
            c31.add(FloatVector.fromArray(F, acc, 208)).intoArray(acc, 208);
            c32.add(FloatVector.fromArray(F, acc, 224)).intoArray(acc, 224);
            c33.add(FloatVector.fromArray(F, acc, 240)).intoArray(acc, 240);
        }
    }

    /** The tree over the four vectors at acc[0..64): res[c]. */
    private static void reduce1x4(float[] acc, float[] res) {
        FloatVector a0 = FloatVector.fromArray(F, acc, 0), a1 = FloatVector.fromArray(F, acc, 16);
        FloatVector a2 = FloatVector.fromArray(F, acc, 32), a3 = FloatVector.fromArray(F, acc, 48);
        if (L == 16) {
            // All four at once: results land in lanes 0, 8, 4, 12.
            VectorMask<Float> m8 = Simd.M8, m4 = Simd.M4;
            FloatVector p = a0.blend(a1, m8).add(a1.blend(a0, m8).rearrange(Simd.X8));
            FloatVector q = a2.blend(a3, m8).add(a3.blend(a2, m8).rearrange(Simd.X8));
            FloatVector u = p.blend(q, m4).add(q.blend(p, m4).rearrange(Simd.X4));
            u = u.add(u.rearrange(Simd.X2));
            u = u.add(u.rearrange(Simd.X1));
            res[0] = u.lane(0);
            res[1] = u.lane(8);
            res[2] = u.lane(4);
            res[3] = u.lane(12);
        } else {
            res[0] = Simd.reduce(a0);
            res[1] = Simd.reduce(a1);
            res[2] = Simd.reduce(a2);
            res[3] = Simd.reduce(a3);
        }
    }

    /** {@link #dot1x4Bf16} for four token rows (a[ao + r·as ..]); 16 block vectors at acc[(r*4 + c)*16]. */
    private static void dot4x4Bf16(float[] a, int ao, int as, MemorySegment seg, long o0, long o1, long o2, long o3, int kc,
                                   float[] acc, float[] blk, boolean first) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int x1 = ao + as, x2 = x1 + as, x3 = x2 + as;
        int i = 0;
        for (; i <= kc - L; i += L) {
            long b = 2L * i;
            FloatVector b0 = Simd.bf16(seg, o0 + b), b1 = Simd.bf16(seg, o1 + b);
            FloatVector b2 = Simd.bf16(seg, o2 + b), b3 = Simd.bf16(seg, o3 + b);
            FloatVector xv = FloatVector.fromArray(F, a, ao + i);
            c00 = xv.fma(b0, c00); c01 = xv.fma(b1, c01); c02 = xv.fma(b2, c02); c03 = xv.fma(b3, c03);
            xv = FloatVector.fromArray(F, a, x1 + i);
            c10 = xv.fma(b0, c10); c11 = xv.fma(b1, c11); c12 = xv.fma(b2, c12); c13 = xv.fma(b3, c13);
            xv = FloatVector.fromArray(F, a, x2 + i);
            c20 = xv.fma(b0, c20); c21 = xv.fma(b1, c21); c22 = xv.fma(b2, c22); c23 = xv.fma(b3, c23);
            xv = FloatVector.fromArray(F, a, x3 + i);
            c30 = xv.fma(b0, c30); c31 = xv.fma(b1, c31); c32 = xv.fma(b2, c32); c33 = xv.fma(b3, c33);
        }
        // A tail runs on the parked vectors (see dot1x4Bf16): all 16 go to blk, take the tail there, then to acc.
        boolean tail = i < kc;
        float[] dst = tail ? blk : acc;
        // Written out in each 4x4 kernel: a method taking the 16 vectors is not inlined and boxes them (20x slower).
        if (first || tail) {
            c00.intoArray(dst, 0);
            c01.intoArray(dst, 16);
            c02.intoArray(dst, 32);
            c03.intoArray(dst, 48);
            c10.intoArray(dst, 64);
            c11.intoArray(dst, 80);
            c12.intoArray(dst, 96);
            c13.intoArray(dst, 112);
            c20.intoArray(dst, 128);
            c21.intoArray(dst, 144);
            c22.intoArray(dst, 160);
            c23.intoArray(dst, 176);
            c30.intoArray(dst, 192);
            c31.intoArray(dst, 208);
            c32.intoArray(dst, 224);
            c33.intoArray(dst, 240);
        } else {
            c00.add(FloatVector.fromArray(F, acc, 0)).intoArray(acc, 0);
            c01.add(FloatVector.fromArray(F, acc, 16)).intoArray(acc, 16);
            c02.add(FloatVector.fromArray(F, acc, 32)).intoArray(acc, 32);
            c03.add(FloatVector.fromArray(F, acc, 48)).intoArray(acc, 48);
            c10.add(FloatVector.fromArray(F, acc, 64)).intoArray(acc, 64);
            c11.add(FloatVector.fromArray(F, acc, 80)).intoArray(acc, 80);
            c12.add(FloatVector.fromArray(F, acc, 96)).intoArray(acc, 96);
            c13.add(FloatVector.fromArray(F, acc, 112)).intoArray(acc, 112);
            c20.add(FloatVector.fromArray(F, acc, 128)).intoArray(acc, 128);
            c21.add(FloatVector.fromArray(F, acc, 144)).intoArray(acc, 144);
            c22.add(FloatVector.fromArray(F, acc, 160)).intoArray(acc, 160);
            c23.add(FloatVector.fromArray(F, acc, 176)).intoArray(acc, 176);
            c30.add(FloatVector.fromArray(F, acc, 192)).intoArray(acc, 192);
            c31.add(FloatVector.fromArray(F, acc, 208)).intoArray(acc, 208);
            c32.add(FloatVector.fromArray(F, acc, 224)).intoArray(acc, 224);
            c33.add(FloatVector.fromArray(F, acc, 240)).intoArray(acc, 240);
        }
        if (tail) {
            tail4x4Bf16(a, ao + i, as, seg, o0 + 2L * i, o1 + 2L * i, o2 + 2L * i, o3 + 2L * i, kc - i, blk);
            parkBlock(acc, blk, 16, first);
        }
    }

    /** The last n < L columns of {@link #dot4x4Bf16}, on the block vectors at blk[(r*4 + c)*16]. */
    private static void tail4x4Bf16(float[] a, int ao, int as, MemorySegment seg, long o0, long o1, long o2, long o3, int n, float[] blk) {
        VectorMask<Short> m = Simd.shortMask(n);
        FloatVector b0 = Simd.bf16(seg, o0, m), b1 = Simd.bf16(seg, o1, m);
        FloatVector b2 = Simd.bf16(seg, o2, m), b3 = Simd.bf16(seg, o3, m);
        for (int r = 0; r < 4; r++) {
            FloatVector xv = FloatVector.fromArray(F, a, ao + r * as);
            int o = r * 64;
            xv.fma(b0, FloatVector.fromArray(F, blk, o)).intoArray(blk, o);
            xv.fma(b1, FloatVector.fromArray(F, blk, o + 16)).intoArray(blk, o + 16);
            xv.fma(b2, FloatVector.fromArray(F, blk, o + 32)).intoArray(blk, o + 32);
            xv.fma(b3, FloatVector.fromArray(F, blk, o + 48)).intoArray(blk, o + 48);
        }
    }

    /** The tree over the 16 vectors at acc[ai + (r*4 + c)*16]: res[r*4 + c]. */
    private static void reduce4x4(float[] acc, int ai, float[] res) {
        FloatVector c00 = FloatVector.fromArray(F, acc, ai + 0);
        FloatVector c01 = FloatVector.fromArray(F, acc, ai + 16);
        FloatVector c02 = FloatVector.fromArray(F, acc, ai + 32);
        FloatVector c03 = FloatVector.fromArray(F, acc, ai + 48);
        FloatVector c10 = FloatVector.fromArray(F, acc, ai + 64);
        FloatVector c11 = FloatVector.fromArray(F, acc, ai + 80);
        FloatVector c12 = FloatVector.fromArray(F, acc, ai + 96);
        FloatVector c13 = FloatVector.fromArray(F, acc, ai + 112);
        FloatVector c20 = FloatVector.fromArray(F, acc, ai + 128);
        FloatVector c21 = FloatVector.fromArray(F, acc, ai + 144);
        FloatVector c22 = FloatVector.fromArray(F, acc, ai + 160);
        FloatVector c23 = FloatVector.fromArray(F, acc, ai + 176);
        FloatVector c30 = FloatVector.fromArray(F, acc, ai + 192);
        FloatVector c31 = FloatVector.fromArray(F, acc, ai + 208);
        FloatVector c32 = FloatVector.fromArray(F, acc, ai + 224);
        FloatVector c33 = FloatVector.fromArray(F, acc, ai + 240);
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
            r.intoArray(res, 0);
        } else {
            float[] t = {Simd.reduce(c00), Simd.reduce(c01), Simd.reduce(c02), Simd.reduce(c03), Simd.reduce(c10), Simd.reduce(c11), Simd.reduce(c12), Simd.reduce(c13), Simd.reduce(c20), Simd.reduce(c21), Simd.reduce(c22), Simd.reduce(c23), Simd.reduce(c30), Simd.reduce(c31), Simd.reduce(c32), Simd.reduce(c33)};
            System.arraycopy(t, 0, res, 0, 16);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Packed GEMM: a block of NC W rows x one k block is widened once into an f32 panel, then every token row
    // of the row block sweeps it in 6x4 register tiles; block vectors are parked per tile in memory.

    /** Rows 4-5 of a tile leave the tree at lane (r-4)*8 + (c&1)*4 + (c>>1)*2; this puts them at (r-4)*4 + c. */
    private static final VectorShuffle<Float> G_ORDER = L == 16
            ? VectorShuffle.fromOp(F, i -> i < 8 ? (i >> 2) * 8 + (i & 1) * 4 + ((i >> 1) & 1) * 2 : i) : null;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;

    private static final int ACC = MR * 4 * 16;

    private static void gemm(float[] x, int xOff, int xStride, int rows, Matrix w, int from, int to, int yCol0,
                             float[] bias, float[] y, int yOff, int yStride) {
        Scratch s = SCRATCH.get();
        int k = w.cols(), kBlock = kBlock(k);
        float[] res = s.res;
        // One k block: each tile is reduced at once, one accumulator slot, no need to block the rows (so W is
        // packed once). Several: the parked accumulators of a row block must stay cache-resident.
        boolean single = k <= kBlock;
        int rowBlock = single ? rows : RB;
        for (int nb = from; nb < to; nb += NC) {
            int nbe = Math.min(to, nb + NC);
            int panels = (nbe - nb + 3) / 4;
            for (int rb = 0; rb < rows; rb += rowBlock) {
                int rbe = Math.min(rows, rb + rowBlock);
                int tiles = (rbe - rb + MR - 1) / MR;
                float[] acc = s.acc(single ? ACC : tiles * panels * ACC);
                for (int kb = 0; kb < k; kb += kBlock) {
                    int kc = Math.min(kBlock, k - kb), kp = Simd.roundUp(kc, L);
                    boolean first = kb == 0, last = kb + kBlock >= k;
                    MemorySegment wp = s.wp(panels * 4 * kp);
                    packW(w, nb, nbe, panels * 4, kb, kc, kp, wp, s.row(kp));
                    MemorySegment ap = s.ap(MR * kp);
                    for (int rt = 0; rt < tiles; rt++) {
                        int t0 = rb + rt * MR;
                        packA(x, xOff, xStride, t0, Math.min(MR, rbe - t0), kb, kc, kp, ap);
                        for (int pn = 0; pn < panels; pn++) {
                            int ai = single ? 0 : (rt * panels + pn) * ACC;
                            long wo = 4L * pn * 4 * kp;
                            if (first) {
                                tile(ap, wp, wo, kp, acc, ai);
                            } else {
                                tile(ap, wp, wo, kp, s.part, 0);
                                addTile(acc, ai, s.part);
                            }
                            if (last) {
                                reduceTile(acc, ai, res);
                                scatter(res, t0, rbe, nb + pn * 4, nbe, bias, y, yOff, yStride, yCol0);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Tile results res[r*4 + c] (+ bias) to y rows t0.., columns n0.. (clipped at tEnd, nEnd). */
    private static void scatter(float[] res, int t0, int tEnd, int n0, int nEnd, float[] bias, float[] y, int yOff,
                                int yStride, int yCol0) {
        int yo = yOff + t0 * yStride + n0 - yCol0;
        if (t0 + MR <= tEnd && n0 + 4 <= nEnd) {
            FloatVector bv = bias == null ? FloatVector.zero(F4) : FloatVector.fromArray(F4, bias, n0);
            for (int r = 0; r < MR; r++, yo += yStride) FloatVector.fromArray(F4, res, r * 4).add(bv).intoArray(y, yo);
            return;
        }
        for (int r = 0; r < MR && t0 + r < tEnd; r++, yo += yStride) {
            for (int c = 0; c < 4 && n0 + c < nEnd; c++) {
                float v = res[r * 4 + c];
                y[yo + c] = bias == null ? v : v + bias[n0 + c];
            }
        }
    }

    /** W rows [n, ne) x columns [kb, kb+kc) widened (through row) into wp's floats [r*kp + i]; rows up to nRows and columns up to kp zero. */
    private static void packW(Matrix w, int n, int ne, int nRows, int kb, int kc, int kp, MemorySegment wp, float[] row) {
        Arrays.fill(row, kc, kp, 0f);
        for (int r = 0; r < ne - n; r++) {
            Simd.widenRow(w, n + r, kb, kc, row, 0);
            MemorySegment.copy(row, 0, wp, ValueLayout.JAVA_FLOAT, 4L * r * kp, kp);
        }
        if (ne - n < nRows) wp.asSlice(4L * (ne - n) * kp, 4L * (nRows - (ne - n)) * kp).fill((byte) 0);
    }

    /** m token rows from t0, columns [kb, kb+kc), into ap's floats [r*kp + i], zero-padded to MR rows x kp. */
    private static void packA(float[] x, int xOff, int xStride, int t0, int m, int kb, int kc, int kp, MemorySegment ap) {
        for (int r = 0; r < m; r++) {
            MemorySegment.copy(x, xOff + (t0 + r) * xStride + kb, ap, ValueLayout.JAVA_FLOAT, 4L * r * kp, kc);
            if (kp > kc) ap.asSlice(4L * (r * kp + kc), 4L * (kp - kc)).fill((byte) 0);
        }
        if (m < MR) ap.asSlice(4L * m * kp, 4L * (MR - m) * kp).fill((byte) 0);
    }

    /**
     * The 6 packed token rows of a (floats [r·kp ..]) x 4 packed W rows (from byte wo, floats [c·kp ..]) over one
     * k block of kp columns: the 24 block vectors are stored to acc[ai + (r*4 + c)*16].
     */
    static void tile(MemorySegment a, MemorySegment w, long wo, int kp, float[] acc, int ai) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        long as = 4L * kp, a1 = as, a2 = a1 + as, a3 = a2 + as, a4 = a3 + as, a5 = a4 + as;
        long w1 = wo + as, w2 = w1 + as, w3 = w2 + as;
        for (int j = 0; j < kp; j += L) {
            long i = 4L * j;
            FloatVector b0 = FloatVector.fromMemorySegment(F, w, wo + i, Simd.LE), b1 = FloatVector.fromMemorySegment(F, w, w1 + i, Simd.LE);
            FloatVector b2 = FloatVector.fromMemorySegment(F, w, w2 + i, Simd.LE), b3 = FloatVector.fromMemorySegment(F, w, w3 + i, Simd.LE);
            FloatVector xv = FloatVector.fromMemorySegment(F, a, i, Simd.LE);
            c00 = xv.fma(b0, c00); c01 = xv.fma(b1, c01); c02 = xv.fma(b2, c02); c03 = xv.fma(b3, c03);
            xv = FloatVector.fromMemorySegment(F, a, a1 + i, Simd.LE);
            c10 = xv.fma(b0, c10); c11 = xv.fma(b1, c11); c12 = xv.fma(b2, c12); c13 = xv.fma(b3, c13);
            xv = FloatVector.fromMemorySegment(F, a, a2 + i, Simd.LE);
            c20 = xv.fma(b0, c20); c21 = xv.fma(b1, c21); c22 = xv.fma(b2, c22); c23 = xv.fma(b3, c23);
            xv = FloatVector.fromMemorySegment(F, a, a3 + i, Simd.LE);
            c30 = xv.fma(b0, c30); c31 = xv.fma(b1, c31); c32 = xv.fma(b2, c32); c33 = xv.fma(b3, c33);
            xv = FloatVector.fromMemorySegment(F, a, a4 + i, Simd.LE);
            c40 = xv.fma(b0, c40); c41 = xv.fma(b1, c41); c42 = xv.fma(b2, c42); c43 = xv.fma(b3, c43);
            xv = FloatVector.fromMemorySegment(F, a, a5 + i, Simd.LE);
            c50 = xv.fma(b0, c50); c51 = xv.fma(b1, c51); c52 = xv.fma(b2, c52); c53 = xv.fma(b3, c53);
        }
        {
            c00.intoArray(acc, ai + 0);
            c01.intoArray(acc, ai + 16);
            c02.intoArray(acc, ai + 32);
            c03.intoArray(acc, ai + 48);
            c10.intoArray(acc, ai + 64);
            c11.intoArray(acc, ai + 80);
            c12.intoArray(acc, ai + 96);
            c13.intoArray(acc, ai + 112);
            c20.intoArray(acc, ai + 128);
            c21.intoArray(acc, ai + 144);
            c22.intoArray(acc, ai + 160);
            c23.intoArray(acc, ai + 176);
            c30.intoArray(acc, ai + 192);
            c31.intoArray(acc, ai + 208);
            c32.intoArray(acc, ai + 224);
            c33.intoArray(acc, ai + 240);
            c40.intoArray(acc, ai + 256);
            c41.intoArray(acc, ai + 272);
            c42.intoArray(acc, ai + 288);
            c43.intoArray(acc, ai + 304);
            c50.intoArray(acc, ai + 320);
            c51.intoArray(acc, ai + 336);
            c52.intoArray(acc, ai + 352);
            c53.intoArray(acc, ai + 368);
        }
    }

    /** acc[ai..ai+ACC) += part[0..ACC): a later k block's tile added in its own method (keeps tile's loop fast). */
    private static void addTile(float[] acc, int ai, float[] part) {
        for (int i = 0; i < ACC; i += L) {
            FloatVector.fromArray(F, part, i).add(FloatVector.fromArray(F, acc, ai + i)).intoArray(acc, ai + i);
        }
    }

    /** The tree over a tile's 24 vectors: res[r*4 + c]. */
    private static void reduceTile(float[] acc, int ai, float[] res) {
        FloatVector c00 = FloatVector.fromArray(F, acc, ai + 0);
        FloatVector c01 = FloatVector.fromArray(F, acc, ai + 16);
        FloatVector c02 = FloatVector.fromArray(F, acc, ai + 32);
        FloatVector c03 = FloatVector.fromArray(F, acc, ai + 48);
        FloatVector c10 = FloatVector.fromArray(F, acc, ai + 64);
        FloatVector c11 = FloatVector.fromArray(F, acc, ai + 80);
        FloatVector c12 = FloatVector.fromArray(F, acc, ai + 96);
        FloatVector c13 = FloatVector.fromArray(F, acc, ai + 112);
        FloatVector c20 = FloatVector.fromArray(F, acc, ai + 128);
        FloatVector c21 = FloatVector.fromArray(F, acc, ai + 144);
        FloatVector c22 = FloatVector.fromArray(F, acc, ai + 160);
        FloatVector c23 = FloatVector.fromArray(F, acc, ai + 176);
        FloatVector c30 = FloatVector.fromArray(F, acc, ai + 192);
        FloatVector c31 = FloatVector.fromArray(F, acc, ai + 208);
        FloatVector c32 = FloatVector.fromArray(F, acc, ai + 224);
        FloatVector c33 = FloatVector.fromArray(F, acc, ai + 240);
        FloatVector c40 = FloatVector.fromArray(F, acc, ai + 256);
        FloatVector c41 = FloatVector.fromArray(F, acc, ai + 272);
        FloatVector c42 = FloatVector.fromArray(F, acc, ai + 288);
        FloatVector c43 = FloatVector.fromArray(F, acc, ai + 304);
        FloatVector c50 = FloatVector.fromArray(F, acc, ai + 320);
        FloatVector c51 = FloatVector.fromArray(F, acc, ai + 336);
        FloatVector c52 = FloatVector.fromArray(F, acc, ai + 352);
        FloatVector c53 = FloatVector.fromArray(F, acc, ai + 368);
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
            r.intoArray(res, 0);
            g.rearrange(G_ORDER).intoArray(res, 16);
        } else {
            float[] t = {Simd.reduce(c00), Simd.reduce(c01), Simd.reduce(c02), Simd.reduce(c03), Simd.reduce(c10), Simd.reduce(c11), Simd.reduce(c12), Simd.reduce(c13), Simd.reduce(c20), Simd.reduce(c21), Simd.reduce(c22), Simd.reduce(c23), Simd.reduce(c30), Simd.reduce(c31), Simd.reduce(c32), Simd.reduce(c33), Simd.reduce(c40), Simd.reduce(c41), Simd.reduce(c42), Simd.reduce(c43), Simd.reduce(c50), Simd.reduce(c51), Simd.reduce(c52), Simd.reduce(c53)};
            System.arraycopy(t, 0, res, 0, t.length);
        }
    }
}
