package io.streamnet.engine.cpu;

/**
 * Single-threaded sgemm on row-major arrays, blocked the Goto/BLIS way: a KC x NC block of op(B) is
 * packed into NR-wide panels (kept in L2/L3), an MC x KC block of op(A) into MR-tall panels (L2), and
 * the micro-kernel walks panel pairs with its tile of C in registers. Packing absorbs the
 * transposes, so one kernel serves all four cases. One instance per thread: it owns its buffers.
 */
final class PackedGemm {
    static final int KC = 256;
    static final int MC = 96;
    static final int NC = 1024;
    /** Below this many rows of C, packing B costs more than it saves: use the direct loops. */
    static final int SMALL_M = 4;

    private final MicroKernel kernel;
    private final int mr;
    private final int nr;
    private final float[] packA;
    private final float[] packB;
    private final float[] tile;
    /** Rows of a transposed A in the small-M path (SMALL_M rows of up to KC * 16 entries). */
    private final float[] rows = new float[SMALL_M * KC * 16];

    PackedGemm(MicroKernel kernel) {
        this.kernel = kernel;
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        int mcRounded = (MC + mr - 1) / mr * mr;
        int ncRounded = (NC + nr - 1) / nr * nr;
        this.packA = new float[mcRounded * KC];
        this.packB = new float[KC * ncRounded];
        this.tile = new float[mr * nr];
    }

    String kernelName() {
        return kernel.getClass().getSimpleName();
    }

    /**
     * C (m x n, row stride ldc) = alpha * op(A) op(B) + beta * C. A is (m x k) with row stride lda, or
     * (k x m) when transA; B is (k x n) with row stride ldb, or (n x k) when transB.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        scaleC(m, n, beta, c, cOff, ldc);
        if (k == 0 || alpha == 0f) {
            return;
        }
        if (m <= SMALL_M && !transB && (!transA || (long) m * k <= rows.length)) {
            smallM(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc);
                    macroKernel(mc, nc, kc, alpha, c, cOff + ic * ldc + jc, ldc);
                }
            }
        }
    }

    private void macroKernel(int mc, int nc, int kc, float alpha, float[] c, int cOff, int ldc) {
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int bpOff = (jr / nr) * kc * nr;
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int apOff = (ir / mr) * kc * mr;
                int ci = cOff + ir * ldc + jr;
                if (rows == mr && cols == nr) {
                    kernel.run(kc, packA, apOff, packB, bpOff, alpha, c, ci, ldc);
                } else {
                    kernel.runEdge(kc, packA, apOff, packB, bpOff, alpha, c, ci, ldc, rows, cols, tile);
                }
            }
        }
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-tall panels, k-major inside a panel, zero-padded. */
    private void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc) {
        int idx = 0;
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    float v = 0f;
                    if (r < rows) {
                        int i = ic + ir + r;
                        v = transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p];
                    }
                    packA[idx++] = v;
                }
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide panels, k-major inside a panel, zero-padded. */
    private void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc) {
        int idx = 0;
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            if (!transB && cols == nr) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, packB, idx, nr);
                    idx += nr;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    for (int j = 0; j < nr; j++) {
                        float v = 0f;
                        if (j < cols) {
                            int col = jc + jr + j;
                            v = transB ? b[bOff + col * ldb + pc + p] : b[bOff + (pc + p) * ldb + col];
                        }
                        packB[idx++] = v;
                    }
                }
            }
        }
    }

    /**
     * Few rows (an RNN step at batch 1) with B untransposed: no packing, B streamed once per row, in
     * the same KC blocks and accumulation order as the packed path, so results do not depend on
     * how many rows were computed together. A transposed A is first copied to rows.
     */
    private void smallM(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                        float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (transA) {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    rows[i * k + p] = a[aOff + p * lda + i];
                }
            }
            a = rows;
            aOff = 0;
            lda = k;
        }
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int i = 0; i < m; i++) {
                kernel.rowUpdate(n, kc, alpha, a, aOff + i * lda + pc, b, bOff + pc * ldb, ldb, c, cOff + i * ldc);
            }
        }
    }

    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[ci + j] *= beta;
                }
            }
        }
    }
}
