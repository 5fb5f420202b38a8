package io.streamnet.engine.cpu;

/**
 * The innermost gemm step: {@code C[mr x nr] += alpha * Ap * Bp} over {@code kc} packed columns,
 * where Ap holds mr values per k and Bp nr values per k (see {@link PackedGemm}).
 */
interface MicroKernel {
    int mr();

    int nr();

    /**
     * One row of C without packing, for few-row products (an RNN step at batch 1):
     * {@code c[ci+j] += alpha * sum_{p<kc} a[ai+p] * b[bi + p*ldb + j]} for j in [0, n). The sum is
     * accumulated in the same order and with the same fusing as {@link #run}, so a row of C comes out
     * bit-identical whether it was computed alone or inside a large batch.
     */
    void rowUpdate(int n, int kc, float alpha, float[] a, int ai, float[] b, int bi, int ldb, float[] c, int ci);

    /**
     * Full tile: writes straight into C at {@code cOff} with row stride {@code ldc}. B's nr values for
     * step p start at {@code bpOff + p * ldbp}: {@code ldbp == nr} for a packed panel, the row stride
     * of B itself when B is read in place (few rows of C: packing would cost more than it saves).
     */
    void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float alpha, float[] c, int cOff, int ldc);

    /**
     * As {@link #run}, with B's nr values for step p at {@code b[bOff + rowOffsets[ro + p]]}: the
     * rows of an implicit im2col matrix, read straight from a padded image (see {@link ImplicitConv}).
     */
    void runGather(int kc, float[] ap, int apOff, float[] b, int bOff, int[] rowOffsets, int ro, float alpha,
                   float[] c, int cOff, int ldc);

    /** Edge tile of {@code rows x cols} (smaller than mr x nr); uses {@code tile} (mr*nr) as scratch. */
    default void runEdge(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float alpha,
                         float[] c, int cOff, int ldc, int rows, int cols, float[] tile) {
        java.util.Arrays.fill(tile, 0, mr() * nr(), 0f);
        run(kc, ap, apOff, bp, bpOff, ldbp, 1f, tile, 0, nr());
        for (int r = 0; r < rows; r++) {
            int ci = cOff + r * ldc;
            int ti = r * nr();
            for (int j = 0; j < cols; j++) {
                c[ci + j] += alpha * tile[ti + j];
            }
        }
    }
}
