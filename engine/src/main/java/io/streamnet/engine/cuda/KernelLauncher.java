package io.streamnet.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Kernel launches: each kernel family's launch configuration (1-D grid-stride, one warp per row,
 * gemm tiles) and the marshalling of Java arguments into the driver's parameter array. One place for
 * both {@link CudaBackend} and {@link DeviceOps}, so a kernel is launched the same way from either.
 * Not synchronised: its callers hold the backend's lock and have made the context current.
 */
final class KernelLauncher {
    private static final int BLOCK = 256;
    /** 1-D launches use at most this many blocks and loop (grid-stride) over the rest. */
    private static final int MAX_BLOCKS = 65535;
    /** Rows and columns of C per gemm block (GEMM_BM, GEMM_BN in gemm.cu); {@link GemmShape} checks the grid. */
    static final int GEMM_TILE = 128;
    private static final int GEMM_THREADS = 256;
    /** The driver's limit on a grid's y and z dimensions (gemm: row tiles and batch entries). */
    static final int MAX_GRID_YZ = 65535;
    private static final int SOFTMAX_THREADS = 128;
    private static final int SOFTMAX_ROWS_PER_BLOCK = SOFTMAX_THREADS / 32;

    private final CudaContext ctx;

    KernelLauncher(CudaContext ctx) {
        this.ctx = ctx;
    }

    void gemm(GemmShape s, boolean transA, boolean transB, float alpha, CUdeviceptr a, CUdeviceptr b, float beta,
              CUdeviceptr c) {
        int gx = (s.n() + GEMM_TILE - 1) / GEMM_TILE;
        int gy = (s.m() + GEMM_TILE - 1) / GEMM_TILE;
        launch(CudaKernel.GEMM_FORWARD, gx, gy, s.batch(), GEMM_THREADS, a, b, c, s.m(), s.n(), s.k(), s.lda(), s.ldb(),
                s.ldc(), s.strideA(), s.strideB(), s.strideC(), transA ? 1 : 0, transB ? 1 : 0, alpha, beta);
    }

    void addBias(CUdeviceptr x, CUdeviceptr bias, int rows, int cols) {
        launch1d(CudaKernel.ADD_BIAS_FORWARD, rows * cols, x, bias, rows, cols);
    }

    void lstmForward(CUdeviceptr gates, CUdeviceptr cPrev, CUdeviceptr cOut, CUdeviceptr hOut, CUdeviceptr tanhC,
                     int b, int h) {
        // without tanhC the kernel gets cOut as a never-written placeholder (writeTanhC = 0)
        launch1d(CudaKernel.LSTM_FORWARD, b * h, gates, cPrev, cOut, hOut, tanhC == null ? cOut : tanhC, b, h,
                tanhC == null ? 0 : 1);
    }

    void gruForward(CUdeviceptr gx, CUdeviceptr gh, CUdeviceptr hPrev, CUdeviceptr hOut, int b, int h) {
        launch1d(CudaKernel.GRU_FORWARD, b * h, gx, gh, hPrev, hOut, b, h);
    }

    /** One thread per element, grid-stride beyond {@link #MAX_BLOCKS} blocks. */
    void launch1d(CudaKernel k, int n, Object... args) {
        if (n <= 0) {
            return;
        }
        int blocks = (int) Math.min((n + (long) BLOCK - 1) / BLOCK, MAX_BLOCKS);
        launch(k, blocks, 1, 1, BLOCK, args);
    }

    /** One warp per row, {@link #SOFTMAX_ROWS_PER_BLOCK} rows per block. */
    void launchRows(CudaKernel k, int rows, Object... args) {
        int blocks = (rows + SOFTMAX_ROWS_PER_BLOCK - 1) / SOFTMAX_ROWS_PER_BLOCK;
        launch(k, blocks, 1, 1, SOFTMAX_THREADS, args);
    }

    private void launch(CudaKernel k, int gx, int gy, int gz, int block, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else if (a instanceof Long v) {
                params[i] = Pointer.to(new long[] {v});
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of " + k + " has unsupported type " + a);
            }
        }
        JCudaDriver.cuLaunchKernel(ctx.function(k), gx, gy, gz, block, 1, 1, 0, null, Pointer.to(params), null);
    }
}
