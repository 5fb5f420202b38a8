// gemm.cu: single-precision matrix multiply on row-major matrices.
//
//   C = alpha * op(A) op(B) + beta * C
//   op(A) (M,K): A is stored (M,K) with row stride lda, or (K,M) when transA
//   op(B) (K,N): B is stored (K,N) with row stride ldb, or (N,K) when transB
//   C     (M,N) with row stride ldc
//   (M,K) x (K,N) -> (M,N)
//
// Batched (rank-3 operands): blockIdx.z picks the batch entry; strideA/B/C are the element
// distances between entries (0 broadcasts one matrix to every entry).
// With beta == 0 C is not read, so NaNs in C do not propagate (the CpuBackend contract).
//
// Tiling: a block of 256 threads owns a 128x128 tile of C and walks K in steps of 8. Each step
// stages op(A)[128 x 8] and op(B)[8 x 128] in shared memory, both k-major (As[k][m], Bs[k][n]),
// so the transposes are handled once, in the load. Every thread accumulates an 8x8 sub-tile held in
// registers: rows row0 + ty + 16*i and columns col0 + tx + 16*j (strided, so the shared-memory
// reads of one warp hit 16 consecutive banks and the C stores are coalesced). The next K tile is
// fetched from global memory into registers while the current one is multiplied.
//
// CPU twin: CpuBackend.gemm, CpuBackend.gemv (gemv runs as an N = 1 gemm)
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#define GEMM_BM 128
#define GEMM_BN 128
#define GEMM_BK 8
#define GEMM_TM 8
#define GEMM_TN 8
#define GEMM_THREADS 256                 // (GEMM_BM / GEMM_TM) * (GEMM_BN / GEMM_TN)
#define GEMM_LOADS 4                     // GEMM_BM * GEMM_BK / GEMM_THREADS elements per thread and operand
#define GEMM_PAD 4                       // breaks the 8-way bank conflict of the row-major stores

// element e (0..1023) of the op(A) tile -> (m, k) inside the tile; chosen so that a warp reads
// global memory along the stored rows: 8 consecutive k for row-major A, 32 consecutive m for A^T.
__device__ __forceinline__ void gemm_tile_coords_a(int e, int transA, int* m, int* k) {
    if (transA) { *m = e % GEMM_BM; *k = e / GEMM_BM; }
    else        { *m = e / GEMM_BK; *k = e % GEMM_BK; }
}

// element e of the op(B) tile -> (k, n) inside the tile: 32 consecutive n for row-major B,
// 8 consecutive k for B^T.
__device__ __forceinline__ void gemm_tile_coords_b(int e, int transB, int* k, int* n) {
    if (transB) { *n = e / GEMM_BK; *k = e % GEMM_BK; }
    else        { *n = e % GEMM_BN; *k = e / GEMM_BN; }
}

// op(A)(gm, gk), 0 outside the matrix
__device__ __forceinline__ float gemm_load_a(const float* __restrict__ A, int lda, int transA,
                                             int M, int K, int gm, int gk) {
    if (gm >= M || gk >= K) return 0.0f;
    return transA ? A[(size_t)gk * lda + gm] : A[(size_t)gm * lda + gk];
}

// op(B)(gk, gn), 0 outside the matrix
__device__ __forceinline__ float gemm_load_b(const float* __restrict__ B, int ldb, int transB,
                                             int K, int N, int gk, int gn) {
    if (gk >= K || gn >= N) return 0.0f;
    return transB ? B[(size_t)gn * ldb + gk] : B[(size_t)gk * ldb + gn];
}

// grid (ceil(N/128), ceil(M/128), batch), block 256
extern "C" __global__ void __launch_bounds__(GEMM_THREADS)
gemm_forward(const float* __restrict__ A, const float* __restrict__ B, float* C,
             int M, int N, int K, int lda, int ldb, int ldc,
             long long strideA, long long strideB, long long strideC,
             int transA, int transB, float alpha, float beta) {
    A += (long long)blockIdx.z * strideA;
    B += (long long)blockIdx.z * strideB;
    C += (long long)blockIdx.z * strideC;

    __shared__ float As[GEMM_BK][GEMM_BM + GEMM_PAD];   // As[k][m] = op(A)(row0 + m, k0 + k)
    __shared__ float Bs[GEMM_BK][GEMM_BN + GEMM_PAD];   // Bs[k][n] = op(B)(k0 + k, col0 + n)

    const int tid = threadIdx.x;
    const int tx = tid % 16;
    const int ty = tid / 16;
    const int row0 = blockIdx.y * GEMM_BM;
    const int col0 = blockIdx.x * GEMM_BN;

    // the tile positions this thread moves: fixed for the whole K walk
    int am[GEMM_LOADS], ak[GEMM_LOADS], bk[GEMM_LOADS], bn[GEMM_LOADS];
#pragma unroll
    for (int r = 0; r < GEMM_LOADS; r++) {
        gemm_tile_coords_a(tid + r * GEMM_THREADS, transA, &am[r], &ak[r]);
        gemm_tile_coords_b(tid + r * GEMM_THREADS, transB, &bk[r], &bn[r]);
    }

    float ra[GEMM_LOADS], rb[GEMM_LOADS];   // the next tile, staged in registers
#pragma unroll
    for (int r = 0; r < GEMM_LOADS; r++) {
        ra[r] = gemm_load_a(A, lda, transA, M, K, row0 + am[r], ak[r]);
        rb[r] = gemm_load_b(B, ldb, transB, K, N, bk[r], col0 + bn[r]);
    }

    float acc[GEMM_TM][GEMM_TN];
#pragma unroll
    for (int i = 0; i < GEMM_TM; i++) {
#pragma unroll
        for (int j = 0; j < GEMM_TN; j++) acc[i][j] = 0.0f;
    }

    for (int k0 = 0; k0 < K; k0 += GEMM_BK) {
#pragma unroll
        for (int r = 0; r < GEMM_LOADS; r++) {
            As[ak[r]][am[r]] = ra[r];
            Bs[bk[r]][bn[r]] = rb[r];
        }
        __syncthreads();
        if (k0 + GEMM_BK < K) {
            const int kn = k0 + GEMM_BK;
#pragma unroll
            for (int r = 0; r < GEMM_LOADS; r++) {
                ra[r] = gemm_load_a(A, lda, transA, M, K, row0 + am[r], kn + ak[r]);
                rb[r] = gemm_load_b(B, ldb, transB, K, N, kn + bk[r], col0 + bn[r]);
            }
        }
#pragma unroll
        for (int k = 0; k < GEMM_BK; k++) {
            float a[GEMM_TM], b[GEMM_TN];
#pragma unroll
            for (int i = 0; i < GEMM_TM; i++) a[i] = As[k][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < GEMM_TN; j++) b[j] = Bs[k][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < GEMM_TM; i++) {
#pragma unroll
                for (int j = 0; j < GEMM_TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < GEMM_TM; i++) {
        const int m = row0 + ty + 16 * i;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < GEMM_TN; j++) {
            const int n = col0 + tx + 16 * j;
            if (n >= N) continue;
            float* p = C + (size_t)m * ldc + n;
            const float v = alpha * acc[i][j];
            *p = beta == 0.0f ? v : v + beta * *p;
        }
    }
}
