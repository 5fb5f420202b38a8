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
    /**
     * Up to this many rows of C (one MC block: a convolution's filters, a small batch), B is read in
     * place rather than packed: each packed panel would serve only m / MR micro-tiles, so packing
     * (a read and a write of all of B) cost about as much as the product. A strip of B, kc rows of NR
     * floats, stays in L1 while every row panel of A passes over it.
     */
    static final int DIRECT_B_MAX_M = MC;

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
        if (m <= DIRECT_B_MAX_M && !transB && n >= nr) {
            directB(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
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

    /**
     * Few rows of C, B untransposed: A packed once per KC block, B's full NR-wide strips read in place
     * (row stride ldb), the last partial strip packed. Each tile of C gets one update per KC block in
     * the same order as in the packed path, so the two paths give bit-identical results.
     */
    private void directB(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int full = n / nr * nr;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            packA(transA, a, aOff, lda, 0, m, pc, kc);
            int bRow = bOff + pc * ldb;
            for (int jr = 0; jr < full; jr += nr) {
                for (int ir = 0; ir < m; ir += mr) {
                    int rows = Math.min(mr, m - ir);
                    int apOff = (ir / mr) * kc * mr;
                    int ci = cOff + ir * ldc + jr;
                    if (rows == mr) {
                        kernel.run(kc, packA, apOff, b, bRow + jr, ldb, alpha, c, ci, ldc);
                    } else {
                        kernel.runEdge(kc, packA, apOff, b, bRow + jr, ldb, alpha, c, ci, ldc, rows, nr, tile);
                    }
                }
            }
            if (full < n) {
                packB(false, b, bOff, ldb, pc, kc, full, n - full);
                for (int ir = 0; ir < m; ir += mr) {
                    int rows = Math.min(mr, m - ir);
                    int apOff = (ir / mr) * kc * mr;
                    kernel.runEdge(kc, packA, apOff, packB, 0, nr, alpha, c, cOff + ir * ldc + full, ldc, rows,
                            n - full, tile);
                }
            }
        }
    }

    /**
     * C (m x n) += A (m x k, row stride lda) * G^T, where row q of G (n x k) is the k floats of b from
     * {@code b[rowOffsets[q]]}: the implicit convolution's weight gradient, G the im2col rows read in
     * place from the padded image.
     */
    void gemmGatheredBT(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int[] rowOffsets,
                        float[] c, int cOff, int ldc) {
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packGatheredBT(b, rowOffsets, pc, kc, jc, nc);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(false, a, aOff, lda, ic, mc, pc, kc);
                    macroKernel(mc, nc, kc, 1f, c, cOff + ic * ldc + jc, ldc);
                }
            }
        }
    }

    /** Panels of G^T[pc:pc+kc, jc:jc+nc], G's row q read from b at rowOffsets[q]; as {@link #packB} with transB. */
    private void packGatheredBT(float[] b, int[] rowOffsets, int pc, int kc, int jc, int nc) {
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int base = (jr / nr) * kc * nr;
            if (cols < nr) {
                java.util.Arrays.fill(packB, base, base + kc * nr, 0f);
            }
            for (int j = 0; j < cols; j++) {
                int src = rowOffsets[jc + jr + j] + pc;
                for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                    packB[d] = b[src + p];
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
                    kernel.run(kc, packA, apOff, packB, bpOff, nr, alpha, c, ci, ldc);
                } else {
                    kernel.runEdge(kc, packA, apOff, packB, bpOff, nr, alpha, c, ci, ldc, rows, cols, tile);
                }
            }
        }
    }

    MicroKernel kernel() {
        return kernel;
    }

    /** The buffer {@link #packA} fills. */
    float[] packedA() {
        return packA;
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-tall panels, k-major inside a panel, zero-padded. */
    void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc) {
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            int base = (ir / mr) * kc * mr;
            if (rows < mr) {
                java.util.Arrays.fill(packA, base, base + kc * mr, 0f);
            }
            int i0 = ic + ir;
            if (transA) {
                // A^T rows are A's columns: each k is a contiguous run of rows.
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, aOff + (pc + p) * lda + i0, packA, base + p * mr, rows);
                }
            } else {
                // One source row at a time, read in order, written with stride mr (the panel is in L1).
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i0 + r) * lda + pc;
                    for (int p = 0, d = base + r; p < kc; p++, d += mr) {
                        packA[d] = a[src + p];
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide panels, k-major inside a panel, zero-padded. */
    private void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc) {
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int base = (jr / nr) * kc * nr;
            if (cols < nr) {
                java.util.Arrays.fill(packB, base, base + kc * nr, 0f);
            }
            int j0 = jc + jr;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * ldb + j0, packB, base + p * nr, cols);
                }
            } else {
                // B^T's columns are B's rows: read each in order, write with stride nr (the panel is in L1).
                for (int j = 0; j < cols; j++) {
                    int src = bOff + (j0 + j) * ldb + pc;
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        packB[d] = b[src + p];
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
