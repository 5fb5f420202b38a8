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
    public void rowUpdate(int n, int kc, float alpha, float[] a, int ai, float[] b, int bi, int ldb, float[] c, int ci) {
        // acc += a*b unfused, p in order: the arithmetic of run().
        float[] t = acc;
        for (int j0 = 0; j0 < n; j0 += NR) {
            int w = Math.min(NR, n - j0);
            java.util.Arrays.fill(t, 0, w, 0f);
            for (int p = 0; p < kc; p++) {
                float av = a[ai + p];
                int bo = bi + p * ldb + j0;
                for (int j = 0; j < w; j++) {
                    t[j] += av * b[bo + j];
                }
            }
            for (int j = 0; j < w; j++) {
                c[ci + j0 + j] += alpha * t[j];
            }
        }
    }

    @Override
    public void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float alpha, float[] c, int cOff, int ldc) {
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
            bi += ldbp;
        }
        for (int r = 0; r < MR; r++) {
            int ci = cOff + r * ldc;
            int ti = r * NR;
            for (int j = 0; j < NR; j++) {
                c[ci + j] += alpha * t[ti + j];
            }
        }
    }

    @Override
    public void runGather(int kc, float[] ap, int apOff, float[] bp, int bpOff, int[] rowOffsets, int ro,
                          float alpha, float[] c, int cOff, int ldc) {
        float[] t = acc;
        java.util.Arrays.fill(t, 0f);
        int ai = apOff;
        for (int p = 0; p < kc; p++) {
            float a0 = ap[ai];
            float a1 = ap[ai + 1];
            float a2 = ap[ai + 2];
            float a3 = ap[ai + 3];
            for (int j = 0; j < NR; j++) {
                float b = bp[bpOff + rowOffsets[ro + p] + j];
                t[j] += a0 * b;
                t[NR + j] += a1 * b;
                t[2 * NR + j] += a2 * b;
                t[3 * NR + j] += a3 * b;
            }
            ai += MR;
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
