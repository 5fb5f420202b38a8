// im2col.cu: the convolution lowering for one image and its adjoint.
//
//   im2col: image (C,H,W) -> cols (C*kH*kW, outH*outW), zero outside the image
//   col2im: image (C,H,W) += cols scattered back (the adjoint of im2col)
// Row r of cols is (ch, ki, kj) = (r / (kH*kW), (r / kW) % kH, r % kW); column p is the output
// position (y, x) = (p / outW, p % outW), which reads image (ch, y*sH - pH + ki, x*sW - pW + kj).
// 1-D grids with grid-stride loops, block 256.
//
// CPU twin: CpuBackend.im2col, CpuBackend.col2im
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#include "common.cuh"

// one thread per cols element
extern "C" __global__ void im2col_forward(const float* image, float* cols, int C, int H, int W, int kH, int kW,
                                          int sH, int sW, int pH, int pW, int outH, int outW) {
    const int plane = outH * outW;
    const int n = C * kH * kW * plane;
    GRID_STRIDE_LOOP(idx, n) {
        const int row = idx / plane;
        const int p = idx - row * plane;
        const int y = p / outW;
        const int x = p - y * outW;
        const int ch = row / (kH * kW);
        const int rem = row - ch * kH * kW;
        const int ki = rem / kW;
        const int kj = rem - ki * kW;
        const int iy = y * sH - pH + ki;
        const int ix = x * sW - pW + kj;
        cols[idx] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? image[((size_t)ch * H + iy) * W + ix] : 0.0f;
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
