package io.streamnet.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4x16 register-tiled micro-kernel on 256-bit vectors (AVX2 + FMA): 8 accumulators, two B loads
 * and four broadcasts per k. A 6x16 tile (12 accumulators) measured 8x slower here: C2 spills it. Loaded only when the JVM runs with {@code --add-modules
 * jdk.incubator.vector}; {@link GemmKernels} falls back to {@link ScalarMicroKernel} otherwise.
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int MR = 4;
    private static final int NR = 16;

    static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++) {
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
            ai += MR;
            bi += NR;
        }
        store(c, cOff, alpha, c00, c01);
        store(c, cOff + ldc, alpha, c10, c11);
        store(c, cOff + 2 * ldc, alpha, c20, c21);
        store(c, cOff + 3 * ldc, alpha, c30, c31);
    }

    private static void store(float[] c, int off, float alpha, FloatVector v0, FloatVector v1) {
        FloatVector.fromArray(S, c, off).add(v0.mul(alpha)).intoArray(c, off);
        FloatVector.fromArray(S, c, off + 8).add(v1.mul(alpha)).intoArray(c, off + 8);
    }
}
