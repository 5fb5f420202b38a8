package io.streamnet.engine.cuda;

/**
 * The gemm problem as the kernel sees it: sizes, row strides of the stored matrices, and element
 * strides between batch entries. One type for the host-tensor gemm/gemv ({@link CudaBackend}) and the
 * device-resident gemm ({@link DeviceOps}), so both accept and launch the same shapes.
 */
record GemmShape(int m, int n, int k, int batch, int lda, int ldb, int ldc, long strideA, long strideB,
                 long strideC) {
    /** Null when the shapes do not fit (the CPU backend then reports the error). */
    static GemmShape of(boolean transA, boolean transB, int[] a, int[] b, int[] c) {
        int batch;
        int o;
        if (a.length == 3 || b.length == 3 || c.length == 3) {
            if (a.length != 3 || b.length != 3 || c.length != 3 || a[0] != b[0] || a[0] != c[0]) {
                return null;
            }
            batch = a[0];
            o = 1;
        } else if (a.length == 2 && b.length == 2 && c.length == 2) {
            batch = 1;
            o = 0;
        } else {
            return null;
        }
        int ar = a[o];
        int ac = a[o + 1];
        int br = b[o];
        int bc = b[o + 1];
        int m = transA ? ac : ar;
        int k = transA ? ar : ac;
        int kb = transB ? bc : br;
        int n = transB ? br : bc;
        if (k != kb || c[o] != m || c[o + 1] != n) {
            return null;
        }
        return new GemmShape(m, n, k, batch, ac, bc, c[o + 1], (long) ar * ac, (long) br * bc, (long) m * n);
    }

    /** Non-empty and inside the kernel's grid limits (K = 0 is left to the CPU backend). */
    boolean launchable() {
        return m > 0 && n > 0 && k > 0 && batch > 0 && batch <= KernelLauncher.MAX_GRID_YZ
                && (m + KernelLauncher.GEMM_TILE - 1) / KernelLauncher.GEMM_TILE <= KernelLauncher.MAX_GRID_YZ;
    }
}
