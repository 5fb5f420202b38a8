package io.streamnet.engine.cpu;

import jdk.incubator.vector.FloatVector;
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
    public void rowUpdate(int n, int kc, float alpha, float[] a, int ai, float[] b, int bi, int ldb, float[] c, int ci) {
        // Fused multiply-adds over p in order, as in run(); four vectors of columns at a time for ILP.
        int j = 0;
        for (; j + 4 * 8 <= n; j += 4 * 8) {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                FloatVector av = FloatVector.broadcast(S, a[ai + p]);
                int bo = bi + p * ldb + j;
                s0 = av.fma(FloatVector.fromArray(S, b, bo), s0);
                s1 = av.fma(FloatVector.fromArray(S, b, bo + 8), s1);
                s2 = av.fma(FloatVector.fromArray(S, b, bo + 2 * 8), s2);
                s3 = av.fma(FloatVector.fromArray(S, b, bo + 3 * 8), s3);
            }
            FloatVector.fromArray(S, c, ci + j).add(s0.mul(alpha)).intoArray(c, ci + j);
            FloatVector.fromArray(S, c, ci + j + 8).add(s1.mul(alpha)).intoArray(c, ci + j + 8);
            FloatVector.fromArray(S, c, ci + j + 2 * 8).add(s2.mul(alpha)).intoArray(c, ci + j + 2 * 8);
            FloatVector.fromArray(S, c, ci + j + 3 * 8).add(s3.mul(alpha)).intoArray(c, ci + j + 3 * 8);
        }
        for (; j + 8 <= n; j += 8) {
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                s0 = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, b, bi + p * ldb + j), s0);
            }
            FloatVector.fromArray(S, c, ci + j).add(s0.mul(alpha)).intoArray(c, ci + j);
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < kc; p++) {
                s = Math.fma(a[ai + p], b[bi + p * ldb + j], s);
            }
            c[ci + j] += alpha * s;
        }
    }

    @Override
    public void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float alpha, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = apOff + MR * p;
            int bi = bpOff + ldbp * p;
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
        addTile(alpha, c, cOff, ldc);
    }

    @Override
    public void runGather(int kc, float[] ap, int apOff, float[] bp, int bpOff, int[] rowOffsets, int ro,
                          float alpha, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = apOff + MR * p;
            int bi = bpOff + rowOffsets[ro + p];
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
        addTile(alpha, c, cOff, ldc);
    }

    /**
     * C[MR x NR] += alpha * acc, vectorised. A method of its own: inside run the same code made run
     * too large for C2 to inline the Vector API calls. Multiply, then add, as rowUpdate does, so
     * both paths round alike.
     */
    private void addTile(float alpha, float[] c, int cOff, int ldc) {
        for (int r = 0; r < MR; r++) {
            int ci = cOff + r * ldc;
            int ti = r * NR;
            for (int j = 0; j < NR; j += 8) {
                FloatVector.fromArray(S, c, ci + j).add(FloatVector.fromArray(S, acc, ti + j).mul(alpha)).intoArray(c, ci + j);
            }
        }
    }

}
