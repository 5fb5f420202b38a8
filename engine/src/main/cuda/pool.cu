// pool.cu: max pooling over (planes, H, W) with planes = N*C, no padding.
//
//   maxpool_forward:  in (P,H,W) -> out (P,outH,outW), argmax (P,outH,outW) = flat index into in
//                     of each window's first largest element (strict >, scanning rows then columns)
//   maxpool_backward: gradIn (P,H,W) += gradOut routed to argmax (atomic: windows may overlap)
//   avgpool_forward:  in (P,H,W) -> out (P,outH,outW), each window's mean (the global average pool
//                     of a ResNet's head, so that a device-resident pass stays on the device)
// 1-D grids with grid-stride loops, block 256.
//
// CPU twin: CpuBackend.maxPool, maxPoolBackward, avgPool
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#include "common.cuh"

// one thread per output element
extern "C" __global__ void maxpool_forward(const float* in, float* out, int* argmax, int P, int H, int W,
                                           int wH, int wW, int sH, int sW, int outH, int outW) {
    const int plane = outH * outW;
    const int n = P * plane;
    GRID_STRIDE_LOOP(o, n) {
        const int pl = o / plane;
        const int p = o - pl * plane;
        const int y = p / outW;
        const int x = p - y * outW;
        const int base = pl * H * W;
        int best = base + (y * sH) * W + x * sW;
        float bestV = in[best];
        for (int wy = 0; wy < wH; wy++) {
            const int r = base + (y * sH + wy) * W + x * sW;
            for (int wx = 0; wx < wW; wx++) {
                const float v = in[r + wx];
                if (v > bestV) {
                    bestV = v;
                    best = r + wx;
                }
            }
        }
        out[o] = bestV;
        argmax[o] = best;
    }
}

// one thread per output element
extern "C" __global__ void maxpool_backward(const float* gradOut, const int* argmax, float* gradIn, int n) {
    GRID_STRIDE_LOOP(o, n) { atomicAdd(&gradIn[argmax[o]], gradOut[o]); }
}

// one thread per output element; the window summed in the CPU's order, then scaled by 1/(wH*wW)
extern "C" __global__ void avgpool_forward(const float* in, float* out, int P, int H, int W,
                                           int wH, int wW, int sH, int sW, int outH, int outW) {
    const int plane = outH * outW;
    const int n = P * plane;
    const float inv = 1.0f / (wH * wW);
    GRID_STRIDE_LOOP(o, n) {
        const int pl = o / plane;
        const int p = o - pl * plane;
        const int y = p / outW;
        const int x = p - y * outW;
        const int base = pl * H * W;
        float s = 0.0f;
        for (int wy = 0; wy < wH; wy++) {
            const int r = base + (y * sH + wy) * W + x * sW;
            for (int wx = 0; wx < wW; wx++) s += in[r + wx];
        }
        out[o] = s * inv;
    }
}
