package io.streamnet.engine.cpu;

/**
 * Plain-Java 4x16 micro-kernel. The 16-wide inner loops over a scratch accumulator are shaped so
 * that C2 auto-vectorizes them; used when the Vector API module is not enabled.
 */
final class ScalarMicroKernel implements MicroKernel {
    private static final int MR = 4;
    private static final int NR = 16;
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
        for (int j = 0; j < n; j++) {
            c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
        }
    }

    @Override
    public float dot(int k, float[] a, int ao, float[] b, int bo) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            s0 += a[ao + p] * b[bo + p];
            s1 += a[ao + p + 1] * b[bo + p + 1];
            s2 += a[ao + p + 2] * b[bo + p + 2];
            s3 += a[ao + p + 3] * b[bo + p + 3];
        }
        for (; p < k; p++) {
            s0 += a[ao + p] * b[bo + p];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] c, int cOff, int ldc) {
        float[] t = acc;
        java.util.Arrays.fill(t, 0f);
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++) {
            float a0 = ap[ai];
            float a1 = ap[ai + 1];
            float a2 = ap[ai + 2];
            float a3 = ap[ai + 3];
            for (int j = 0; j < NR; j++) {
                float b = bp[bi + j];
                t[j] += a0 * b;
                t[NR + j] += a1 * b;
                t[2 * NR + j] += a2 * b;
                t[3 * NR + j] += a3 * b;
            }
            ai += MR;
            bi += NR;
        }
        for (int r = 0; r < MR; r++) {
            int ci = cOff + r * ldc;
            int ti = r * NR;
            for (int j = 0; j < NR; j++) {
                c[ci + j] += alpha * t[ti + j];
            }
        }
    }
}
