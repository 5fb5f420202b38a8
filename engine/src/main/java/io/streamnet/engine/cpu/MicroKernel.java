package io.streamnet.engine.cpu;

/**
 * The innermost gemm step: {@code C[mr x nr] += alpha * Ap * Bp} over {@code kc} packed columns,
 * where Ap holds mr values per k and Bp nr values per k (see {@link PackedGemm}).
 */
interface MicroKernel {
    int mr();

    int nr();

    /**
     * Row update for few-row products: {@code c[ci, ci+n) += a0*B[r0] + a1*B[r0+1] + a2*B[r0+2] +
     * a3*B[r0+3]}, where B row r starts at {@code b0 + r*ldb}.
     */
    void axpy4(int n, float a0, float a1, float a2, float a3, float[] b, int b0, int ldb, float[] c, int ci);

    /** {@code sum_p a[ao+p] * b[bo+p]} over {@code k} entries. */
    float dot(int k, float[] a, int ao, float[] b, int bo);

    /** Full tile: writes straight into C at {@code cOff} with row stride {@code ldc}. */
    void run(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] c, int cOff, int ldc);

    /** Edge tile of {@code rows x cols} (smaller than mr x nr); uses {@code tile} (mr*nr) as scratch. */
    default void runEdge(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha,
                         float[] c, int cOff, int ldc, int rows, int cols, float[] tile) {
        java.util.Arrays.fill(tile, 0, mr() * nr(), 0f);
        run(kc, ap, apOff, bp, bpOff, 1f, tile, 0, nr());
        for (int r = 0; r < rows; r++) {
            int ci = cOff + r * ldc;
            int ti = r * nr();
            for (int j = 0; j < cols; j++) {
                c[ci + j] += alpha * tile[ti + j];
            }
        }
    }
}
