// softmax.cu: row-wise softmax, log-softmax and the fused softmax cross-entropy, all
// max-subtracted so large logits do not overflow.
//
// One warp per row: block 128 (4 rows), grid ceil(N/4). Each lane strides over the C columns,
// then the warp reduces the max and the sum with shuffles.
//
// CPU twin: CpuBackend.softmax, CpuBackend.logSoftmax, CpuBackend.softmaxCrossEntropy
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#include "common.cuh"

#define SOFTMAX_NEG_INF __int_as_float(0xff800000)

// row r of x (N,C): (max, sum(exp(x - max))) in every lane
__device__ __forceinline__ void softmax_row_stats(const float* xr, int C, int lane, float* mx, float* sum) {
    float m = SOFTMAX_NEG_INF;
    for (int j = lane; j < C; j += 32) m = fmaxf(m, xr[j]);
    m = warp_reduce_max(m);
    float s = 0.0f;
    for (int j = lane; j < C; j += 32) s += expf(xr[j] - m);
    *mx = m;
    *sum = warp_reduce_sum(s);
}

// x (N,C) -> y (N,C), y = exp(x - max) / sum(exp(x - max)) per row; y may be x
extern "C" __global__ void softmax_forward(const float* x, float* y, int N, int C) {
    const int row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (row >= N) return;   // the whole warp leaves together
    const float* xr = x + (size_t)row * C;
    float* yr = y + (size_t)row * C;
    float mx, sum;
    softmax_row_stats(xr, C, lane, &mx, &sum);
    const float inv = 1.0f / sum;
    for (int j = lane; j < C; j += 32) yr[j] = expf(xr[j] - mx) * inv;
}

// x (N,C) -> y (N,C), y = x - max - log(sum(exp(x - max))) per row; y may be x
extern "C" __global__ void log_softmax_forward(const float* x, float* y, int N, int C) {
    const int row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (row >= N) return;
    const float* xr = x + (size_t)row * C;
    float* yr = y + (size_t)row * C;
    float mx, sum;
    softmax_row_stats(xr, C, lane, &mx, &sum);
    const float lse = mx + logf(sum);
    for (int j = lane; j < C; j += 32) yr[j] = xr[j] - lse;
}

// logits (N,C), labels (N) in [0, C) (checked on the host) -> losses (N), the per-row
// -log softmax(x)[label]; when writeGrad, grad (N,C) = (softmax(x) - onehot(label)) / N.
extern "C" __global__ void softmax_xent_forward_backward(const float* logits, const int* labels, float* losses,
                                                         float* grad, int N, int C, int writeGrad) {
    const int row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (row >= N) return;
    const float* xr = logits + (size_t)row * C;
    const int label = labels[row];
    float mx, sum;
    softmax_row_stats(xr, C, lane, &mx, &sum);
    const float lse = mx + logf(sum);
    if (lane == 0) losses[row] = lse - xr[label];
    if (writeGrad) {
        const float invN = 1.0f / (float)N;
        float* gr = grad + (size_t)row * C;
        for (int j = lane; j < C; j += 32) {
            const float p = expf(xr[j] - lse) * invN;
            gr[j] = j == label ? p - invN : p;
        }
    }
}
