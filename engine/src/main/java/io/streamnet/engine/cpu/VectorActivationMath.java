package io.streamnet.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API tanh and sigmoid built from exactly-rounded operations only (add, mul, fma, div).
 * The Vector API's own TANH/EXP are not usable here: compiled code calls the JVM's vector math
 * library while interpreted code falls back to Math.tanh, and the two differ in the last bit, so
 * a key stepped alone and in a batch could disagree. This exp is a Cody-Waite range reduction with
 * a degree-6 polynomial (about 1 ulp); tanh uses an odd Taylor polynomial below |x| = 0.25 (no
 * cancellation) and 1 - 2 / (exp(2|x|) + 1) above. Tails are masked vector operations, so every
 * element is computed the same way wherever it falls.
 */
final class VectorActivationMath implements ActivationMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-06f;
    /** 1.5 * 2^23: x + ROUNDER rounds x to an integer held in the low mantissa bits (for |x| < 2^22). */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    @Override
    public void tanh(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            tanh(FloatVector.fromArray(S, x, xo + i, m)).intoArray(y, yo + i, m);
        }
    }

    @Override
    public void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            sigmoid(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            sigmoid(FloatVector.fromArray(S, x, xo + i, m)).intoArray(y, yo + i, m);
        }
    }

    @Override
    public void reluBackward(float[] x, int xo, float[] gy, int gyo, float[] gx, int gxo, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            VectorMask<Float> on = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, gy, gyo + i), on).intoArray(gx, gxo + i);
        }
        for (; i < n; i++) {
            gx[gxo + i] = x[xo + i] > 0f ? gy[gyo + i] : 0f;
        }
    }

    /** 1 / (1 + exp(-x)); exp is clamped, so very negative x gives ~1e-38, never NaN. */
    static FloatVector sigmoid(FloatVector v) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return one.div(exp(v.neg()).add(one));
    }

    static FloatVector tanh(FloatVector v) {
        FloatVector a = v.abs();
        // Large |x|: 1 - 2 / (exp(2|x|) + 1), with the sign put back.
        FloatVector e = exp(a.add(a));
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
        // Small |x|: x + x^3 (-1/3 + x^2 (2/15 + x^2 (-17/315 + x^2 62/2835))).
        FloatVector x2 = v.mul(v);
        FloatVector p = x2.fma(FloatVector.broadcast(S, 62f / 2835f), FloatVector.broadcast(S, -17f / 315f));
        p = p.fma(x2, FloatVector.broadcast(S, 2f / 15f));
        p = p.fma(x2, FloatVector.broadcast(S, -1f / 3f));
        FloatVector small = x2.mul(v).fma(p, v);
        FloatVector signedBig = big.blend(big.neg(), v.lt(0f));
        return signedBig.blend(small, a.lt(0.25f));
    }

    /** exp(x) for x clamped to [-87, 88]: x = k ln2 + r, |r| <= ln2/2, exp(r) by a degree-6 polynomial, times 2^k. */
    static FloatVector exp(FloatVector v) {
        FloatVector x = v.max(-87f).min(88f);
        // k = round(x / ln2) by the magic-number trick: adding 1.5 * 2^23 leaves k in the low mantissa
        // bits. Not a float-to-int conversion: the JDK 17 Vector API does not compile those to
        // instructions on every CPU (measured ~6 ns per element through its Java fallback on an AVX2
        // EPYC, against ~0.2 ns for every other operation here).
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUNDER));
        FloatVector k = t.sub(ROUNDER);
        IntVector ki = t.reinterpretAsInts().sub(ROUNDER_BITS);
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1f / 720f);
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        FloatVector scale = ki.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }
}
