package io.streamnet.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4x16 register-tiled micro-kernel on 256-bit vectors (AVX2 + FMA): 8 accumulators, two B loads
 * and four broadcasts per k. Measured here, a 6x16 tile (12 accumulators) ran far slower (C2 spills
 * it with 16 vector registers). Indices are written as linear functions of k so that C2 removes the
 * bounds checks.
 */
final class Vector4x16MicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int MR = 4;
    private static final int NR = 16;
    /** Accumulators leave registers through here: a vector read-modify-write of C per row made the
     * method too large for C2 to inline the Vector API calls, and it then ran ~20x slower. */
    private final float[] acc = new float[MR * NR];

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void axpy4(int n, float a0, float a1, float a2, float a3, float[] b, int b0, int ldb, float[] c, int ci) {
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        FloatVector v0 = FloatVector.broadcast(S, a0);
        FloatVector v1 = FloatVector.broadcast(S, a1);
        FloatVector v2 = FloatVector.broadcast(S, a2);
        FloatVector v3 = FloatVector.broadcast(S, a3);
        int j = 0;
        for (int end = S.loopBound(n); j < end; j += 8) {
            FloatVector acc = FloatVector.fromArray(S, c, ci + j);
            acc = v0.fma(FloatVector.fromArray(S, b, b0 + j), acc);
            acc = v1.fma(FloatVector.fromArray(S, b, b1 + j), acc);
            acc = v2.fma(FloatVector.fromArray(S, b, b2 + j), acc);
            acc = v3.fma(FloatVector.fromArray(S, b, b3 + j), acc);
            acc.intoArray(c, ci + j);
        }
        for (; j < n; j++) {
            c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
        }
    }

    @Override
    public float dot(int k, float[] a, int ao, float[] b, int bo) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int p = 0;
        for (int end = k - 2 * 8 + 1; p < end; p += 2 * 8) {
            s0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s0);
            s1 = FloatVector.fromArray(S, a, ao + p + 8).fma(FloatVector.fromArray(S, b, bo + p + 8), s1);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s += a[ao + p] * b[bo + p];
        }
        return s;
    }

    @Override
    public void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = apOff + MR * p;
            int bi = bpOff + NR * p;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, 8);
        c10.intoArray(acc, 16);
        c11.intoArray(acc, 24);
        c20.intoArray(acc, 32);
        c21.intoArray(acc, 40);
        c30.intoArray(acc, 48);
        c31.intoArray(acc, 56);
        for (int r = 0; r < MR; r++) {
            int ci = cOff + r * ldc;
            int ti = r * NR;
            for (int j = 0; j < NR; j++) {
                c[ci + j] += alpha * acc[ti + j];
            }
        }
    }

}
