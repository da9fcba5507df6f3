package ttsi.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared Vector API pieces: species, bf16/f16 widening, and the fixed lane-reduction tree.
 *
 * <p>Reductions never use {@code reduceLanes(ADD)}: its order differs between the interpreter and C2, so a
 * result could change once a method gets compiled. Instead every lane sum follows one tree, built from
 * lane-wise adds (exact in every execution mode): with h = L/2, L/4, ..., 1, s[i] = s[i] + s[i + h].
 * {@link #reduceScalar} is the same tree in scalar code.
 */
final class Simd {
    private Simd() {}

    /**
     * The float species: the preferred one, capped at 512 bits (the tile layouts assume at most 16 lanes) and,
     * for testing the narrower code paths, at -Dttsi.vectorBits (128, 256 or 512).
     */
    static final VectorSpecies<Float> F = species();
    static final int L = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Shorts with as many lanes as F: a bf16/f16 load of L elements. */
    static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    // Per level h: the lanes whose bit h is set, and the shuffle i -> i ^ h. Separate static finals (not arrays)
    // so C2 sees them as constants. Null where h >= L.
    static final VectorMask<Float> M8 = L > 8 ? bitMask(8) : null;
    static final VectorMask<Float> M4 = L > 4 ? bitMask(4) : null;
    static final VectorMask<Float> M2 = L > 2 ? bitMask(2) : null;
    static final VectorMask<Float> M1 = L > 1 ? bitMask(1) : null;
    static final VectorShuffle<Float> X8 = L > 8 ? xorShuffle(8) : null;
    static final VectorShuffle<Float> X4 = L > 4 ? xorShuffle(4) : null;
    static final VectorShuffle<Float> X2 = L > 2 ? xorShuffle(2) : null;
    static final VectorShuffle<Float> X1 = L > 1 ? xorShuffle(1) : null;

    private static VectorSpecies<Float> species() {
        int bits = Math.min(FloatVector.SPECIES_PREFERRED.vectorBitSize(), Integer.getInteger("ttsi.vectorBits", 512));
        return VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(128, bits)));
    }

    private static VectorMask<Float> bitMask(int h) {
        boolean[] m = new boolean[L];
        for (int i = 0; i < L; i++) m[i] = (i & h) != 0;
        return VectorMask.fromArray(F, m, 0);
    }

    private static VectorShuffle<Float> xorShuffle(int h) {
        int[] s = new int[L];
        for (int i = 0; i < L; i++) s[i] = i ^ h;
        return VectorShuffle.fromArray(F, s, 0);
    }

    /**
     * One tree level for two vectors at once: lanes with bit h clear get a[i] + a[i^h], lanes with bit h set get
     * b[i] + b[i^h]. Each operand's partial sums of this level land in its half; used with a == b it is the
     * plain butterfly.
     */
    static FloatVector comb(FloatVector a, FloatVector b, VectorMask<Float> m, VectorShuffle<Float> x) {
        FloatVector lo = a.blend(b, m);
        FloatVector hi = b.blend(a, m);
        return lo.add(hi.rearrange(x));
    }

    /** The full tree sum of v's lanes: {@link #comb} of v with itself at every level; lane 0 is returned. */
    static float reduce(FloatVector v) {
        if (L > 8) v = v.add(v.rearrange(X8));
        if (L > 4) v = v.add(v.rearrange(X4));
        if (L > 2) v = v.add(v.rearrange(X2));
        if (L > 1) v = v.add(v.rearrange(X1));
        return v.lane(0);
    }

    /** {@link #reduce} in scalar code over lanes[off .. off+L). */
    static float reduceScalar(float[] lanes, int off) {
        float[] s = new float[L];
        System.arraycopy(lanes, off, s, 0, L);
        for (int h = L / 2; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) s[i] = s[i] + s[i + h];
        }
        return s[0];
    }

    // ---- widening (little-endian, any alignment) ----

    static void widenBf16(MemorySegment seg, long byteOff, int n, float[] dst, int o) {
        int i = 0;
        for (; i <= n - L; i += L) bf16(seg, byteOff + 2L * i).intoArray(dst, o + i);
        if (i < n) bf16(seg, byteOff + 2L * i, shortMask(n - i)).intoArray(dst, o + i, floatMask(n - i));
    }

    static void widenF16(MemorySegment seg, long byteOff, int n, float[] dst, int o) {
        int i = 0;
        for (; i <= n - L; i += L) f16(seg, byteOff + 2L * i).intoArray(dst, o + i);
        if (i < n) f16(seg, byteOff + 2L * i, shortMask(n - i)).intoArray(dst, o + i, floatMask(n - i));
    }

    static FloatVector bf16(MemorySegment seg, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(SH, seg, byteOff, LE);
        return bf16Widen(s);
    }

    static FloatVector bf16(MemorySegment seg, long byteOff, VectorMask<Short> m) {
        ShortVector s = ShortVector.fromMemorySegment(SH, seg, byteOff, LE, m);
        return bf16Widen(s);
    }

    static FloatVector bf16Widen(ShortVector s) {
        // Sign extension is harmless: the shift pushes the upper 16 bits out.
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static FloatVector f16(MemorySegment seg, long byteOff) {
        return f16Widen(ShortVector.fromMemorySegment(SH, seg, byteOff, LE));
    }

    static FloatVector f16(MemorySegment seg, long byteOff, VectorMask<Short> m) {
        return f16Widen(ShortVector.fromMemorySegment(SH, seg, byteOff, LE, m));
    }

    /**
     * IEEE half to float, bit-exact with Float.float16ToFloat for all non-NaN inputs: placing exponent+mantissa
     * 13 bits up and scaling by 2^112 rebiases normals and normalizes subnormals exactly; inf/NaN get an
     * all-ones exponent instead.
     */
    static FloatVector f16Widen(ShortVector s) {
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        IntVector em = h.and(0x7fff);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7c00);
        bits = bits.blend(shifted.or(0x7f800000), special);
        bits = bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
        return bits.reinterpretAsFloats();
    }

    // ---- Q8_0 (blocks of 32; a row is its f16 block scales, then its int8 values: see Q8Blocks) ----

    /** Bytes per int8 load: L lanes, but at least the 64-bit minimum shape (then only the first L are used). */
    static final VectorSpecies<Byte> BQ = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final VectorMask<Byte> BQ_FIRST_L = BQ.indexInRange(0, L);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** Block b's f16 scale in the Q8_0 row at rowByteOff ({@link Q8Blocks#scaleAt}), as f32. */
    static float q8Scale(MemorySegment seg, long rowByteOff, int b) {
        return Float.float16ToFloat(seg.get(I16, Q8Blocks.scaleAt(rowByteOff, b)));
    }

    /** L int8 values at byteOff, widened to f32 (not scaled). */
    static FloatVector q8(MemorySegment seg, long byteOff) {
        ByteVector b = BQ.length() == L ? ByteVector.fromMemorySegment(BQ, seg, byteOff, LE)
                : ByteVector.fromMemorySegment(BQ, seg, byteOff, LE, BQ_FIRST_L);
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    /** L int8 values at byteOff, widened and times d: exactly the dequantized f32 values. */
    static FloatVector q8(MemorySegment seg, long byteOff, float d) {
        return q8(seg, byteOff).mul(d);
    }

    /**
     * Elements [col, col+n) of the Q8_0 row of rowCols values starting at rowByteOff, dequantized into
     * dst[o..o+n): whole blocks with vectors, a partial first or last block element by element (same values).
     */
    static void widenQ8_0(MemorySegment seg, long rowByteOff, int rowCols, int col, int n, float[] dst, int o) {
        int c = col, end = col + n;
        long values = Q8Blocks.valueAt(rowByteOff, rowCols, 0);
        while (c < end) {
            int j = c % DType.Q8_BLOCK;
            float d = q8Scale(seg, rowByteOff, c / DType.Q8_BLOCK);
            if (j == 0 && end - c >= DType.Q8_BLOCK) {
                for (int i = 0; i < DType.Q8_BLOCK; i += L) q8(seg, values + c + i, d).intoArray(dst, o + c - col + i);
                c += DType.Q8_BLOCK;
            } else {
                int m = Math.min(DType.Q8_BLOCK - j, end - c);
                for (int i = 0; i < m; i++) dst[o + c - col + i] = d * seg.get(ValueLayout.JAVA_BYTE, values + c + i);
                c += m;
            }
        }
    }

    /**
     * Row r of w, columns [col, col+n), widened to f32 into dst[o..o+n) (any dtype). One method per type below on
     * purpose: a type switch inside a vector loop defeats C2 (vectors merged at a phi get boxed), which made
     * mixed-dtype use many times slower; this switch runs once per row.
     */
    static void widenRow(Matrix w, int r, int col, int n, float[] dst, int o) {
        DType t = w.dtype();
        long rowStart = (long) r * w.cols();
        switch (t) {
            case Q8_0 -> widenQ8_0(w.data(), r * t.rowBytes(w.cols()), w.cols(), col, n, dst, o);
            case F32 -> MemorySegment.copy(w.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, t.byteSize(rowStart + col), dst, o, n);
            case BF16 -> widenBf16(w.data(), t.byteSize(rowStart + col), n, dst, o);
            case F16 -> widenF16(w.data(), t.byteSize(rowStart + col), n, dst, o);
        }
    }

    /**
     * {@link MatMul#addLinearNarrow}: L outputs at a time, w's column j of them gathered (stride k) and multiplied
     * by the broadcast x[t][j]; the last n mod L outputs one by one, in the same order.
     */
    static void addLinearNarrow(float[] x, int rows, float[] w, int n, int k, float[] y) {
        int[] stride = new int[L];
        for (int i = 0; i < L; i++) stride[i] = i * k;
        for (int t = 0; t < rows; t++) {
            int yo = t * n, xo = t * k, o = 0;
            for (; o + L <= n; o += L) {
                FloatVector acc = FloatVector.fromArray(F, y, yo + o);
                for (int j = 0; j < k; j++) {
                    acc = FloatVector.broadcast(F, x[xo + j]).fma(FloatVector.fromArray(F, w, o * k + j, stride, 0), acc);
                }
                acc.intoArray(y, yo + o);
            }
            for (; o < n; o++) {
                float acc = y[yo + o];
                for (int j = 0; j < k; j++) acc = Math.fma(x[xo + j], w[o * k + j], acc);
                y[yo + o] = acc;
            }
        }
    }

    /** Mask of the first n lanes of a short load (n may exceed L). */
    static VectorMask<Short> shortMask(int n) {
        return SH.indexInRange(0, n);
    }

    static VectorMask<Float> floatMask(int n) {
        return F.indexInRange(0, n);
    }

    static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }
}
