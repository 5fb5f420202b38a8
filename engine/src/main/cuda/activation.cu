// activation.cu: element-wise nonlinearities and the row bias, forward and backward.
//
// All kernels are 1-D over n elements: grid ceil(n/256) (capped, grid-stride loops), block 256.
// x (n) -> y (n); y may be x. Backward: gx = f'(.) * gy, gx may be gy. Sigmoid and tanh take the
// forward output y, the ReLUs the forward input x (as in the Backend SPI).
//
// CPU twin: CpuBackend.activate, CpuBackend.activateBackward, CpuBackend.addBias
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#include "common.cuh"

// y = 1 / (1 + exp(-x))
extern "C" __global__ void sigmoid_forward(const float* x, float* y, int n) {
    GRID_STRIDE_LOOP(i, n) { y[i] = sigmoid_stable(x[i]); }
}

// gx = gy * y * (1 - y)
extern "C" __global__ void sigmoid_backward(const float* y, const float* gy, float* gx, int n) {
    GRID_STRIDE_LOOP(i, n) {
        const float s = y[i];
        gx[i] = gy[i] * s * (1.0f - s);
    }
}

// y = tanh(x)
extern "C" __global__ void tanh_forward(const float* x, float* y, int n) {
    GRID_STRIDE_LOOP(i, n) { y[i] = tanhf(x[i]); }
}

// gx = gy * (1 - y^2)
extern "C" __global__ void tanh_backward(const float* y, const float* gy, float* gx, int n) {
    GRID_STRIDE_LOOP(i, n) {
        const float t = y[i];
        gx[i] = gy[i] * (1.0f - t * t);
    }
}

// y = max(x, 0)
extern "C" __global__ void relu_forward(const float* x, float* y, int n) {
    GRID_STRIDE_LOOP(i, n) { y[i] = fmaxf(x[i], 0.0f); }
}

// gx = x > 0 ? gy : 0
extern "C" __global__ void relu_backward(const float* x, const float* gy, float* gx, int n) {
    GRID_STRIDE_LOOP(i, n) { gx[i] = x[i] > 0.0f ? gy[i] : 0.0f; }
}

// y = x > 0 ? x : slope * x
extern "C" __global__ void leaky_relu_forward(const float* x, float* y, int n, float slope) {
    GRID_STRIDE_LOOP(i, n) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : slope * v;
    }
}

// gx = x > 0 ? gy : slope * gy
extern "C" __global__ void leaky_relu_backward(const float* x, const float* gy, float* gx, int n, float slope) {
    GRID_STRIDE_LOOP(i, n) { gx[i] = x[i] > 0.0f ? gy[i] : slope * gy[i]; }
}

// x (rows, cols) += bias (cols), broadcast over rows
extern "C" __global__ void add_bias_forward(float* x, const float* bias, int rows, int cols) {
    const int n = rows * cols;
    GRID_STRIDE_LOOP(i, n) { x[i] += bias[i % cols]; }
}
