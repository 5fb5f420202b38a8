// im2col.cu: the convolution lowering, its adjoint, and the convolution's output pass.
//
//   im2col: image (C,H,W) -> cols (C*kH*kW, outH*outW), zero outside the image
//   col2im: image (C,H,W) += cols scattered back (the adjoint of im2col)
//   im2col_batch: images (N,C,H,W) -> cols (C*kH*kW, N*outH*outW), image n in columns [n*P, (n+1)*P)
//   conv_output: out (N,F,S) = act(x (F,N,S) with its leading axes swapped + shift (F) + residual (N,F,S))
// Row r of cols is (ch, ki, kj) = (r / (kH*kW), (r / kW) % kH, r % kW); column p is the output
// position (y, x) = (p / outW, p % outW), which reads image (ch, y*sH - pH + ki, x*sW - pW + kj).
// 1-D grids with grid-stride loops, block 256.
//
// CPU twin: CpuBackend.im2col, col2im, im2colBatch, convOutput
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#include "common.cuh"

// the element of cols row `row` (ch, ki, kj), output position p (y, x): image (ch, y*sH - pH + ki,
// x*sW - pW + kj), or 0 outside the image
__device__ __forceinline__ float patch_at(const float* image, int row, int p, int H, int W, int kH, int kW,
                                          int sH, int sW, int pH, int pW, int outW) {
    const int y = p / outW;
    const int x = p - y * outW;
    const int ch = row / (kH * kW);
    const int rem = row - ch * kH * kW;
    const int ki = rem / kW;
    const int kj = rem - ki * kW;
    const int iy = y * sH - pH + ki;
    const int ix = x * sW - pW + kj;
    return (iy >= 0 && iy < H && ix >= 0 && ix < W) ? image[((size_t)ch * H + iy) * W + ix] : 0.0f;
}

// one thread per cols element
extern "C" __global__ void im2col_forward(const float* image, float* cols, int C, int H, int W, int kH, int kW,
                                          int sH, int sW, int pH, int pW, int outH, int outW) {
    const int plane = outH * outW;
    const int n = C * kH * kW * plane;
    GRID_STRIDE_LOOP(idx, n) {
        const int row = idx / plane;
        cols[idx] = patch_at(image, row, idx - row * plane, H, W, kH, kW, sH, sW, pH, pW, outW);
    }
}

// one thread per image element: gathers every cols entry that im2col copied from it, so no atomics
extern "C" __global__ void col2im_backward(const float* cols, float* image, int C, int H, int W, int kH, int kW,
                                           int sH, int sW, int pH, int pW, int outH, int outW) {
    const int plane = outH * outW;
    const int n = C * H * W;
    GRID_STRIDE_LOOP(idx, n) {
        const int ch = idx / (H * W);
        const int rem = idx - ch * H * W;
        const int iy = rem / W;
        const int ix = rem - iy * W;
        float s = 0.0f;
        for (int ki = 0; ki < kH; ki++) {
            const int ty = iy + pH - ki;          // = y * sH
            if (ty < 0 || ty % sH != 0) continue;
            const int y = ty / sH;
            if (y >= outH) continue;
            for (int kj = 0; kj < kW; kj++) {
                const int tx = ix + pW - kj;      // = x * sW
                if (tx < 0 || tx % sW != 0) continue;
                const int x = tx / sW;
                if (x >= outW) continue;
                const int row = (ch * kH + ki) * kW + kj;
                s += cols[(size_t)row * plane + y * outW + x];
            }
        }
        image[idx] += s;
    }
}

// one thread per cols element; the batched lowering, so one gemm covers every image of a batch
extern "C" __global__ void im2col_batch_forward(const float* images, float* cols, int N, int C, int H, int W,
                                                int kH, int kW, int sH, int sW, int pH, int pW, int outH, int outW) {
    const int plane = outH * outW;
    const int width = N * plane;
    const int n = C * kH * kW * width;
    GRID_STRIDE_LOOP(idx, n) {
        const int row = idx / width;
        const int col = idx - row * width;
        const int img = col / plane;
        cols[idx] = patch_at(images + (size_t)img * C * H * W, row, col - img * plane, H, W, kH, kW, sH, sW, pH, pW,
                             outW);
    }
}

// one thread per output element: (x + shift) + residual, then the ReLU (the CPU order)
extern "C" __global__ void conv_output_forward(const float* x, const float* shift, const float* residual, float* out,
                                               int F, int N, int S, int hasShift, int hasResidual, int relu) {
    const int n = F * N * S;
    GRID_STRIDE_LOOP(idx, n) {
        const int i = idx / (F * S);
        const int rem = idx - i * F * S;
        const int f = rem / S;
        const int s = rem - f * S;
        float v = x[((size_t)f * N + i) * S + s] + (hasShift ? shift[f] : 0.0f);
        if (hasResidual) v += residual[idx];
        out[idx] = (relu && v < 0.0f) ? 0.0f : v;   // NaN passes, as with Math.max
    }
}
