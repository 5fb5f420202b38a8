// recurrent.cu: the fused element-wise math of one LSTM or GRU step, forward and backward.
// The gemms around them (x W_x, h W_h) are separate gemm_forward launches.
//
// One thread per (row b, unit j) of the (B,H) state: idx = b*H + j, grid ceil(B*H/256), block 256.
// A gate block is (B, G*H) with the G gates of one row side by side: gate q of (b, j) sits at
// b*G*H + q*H + j.
//
// CPU twin: CpuBackend.lstmForward, CpuBackend.lstmBackward, CpuBackend.gruForward, CpuBackend.gruBackward
// (the reference these kernels must match: engine/src/main/java/io/streamnet/engine/cpu/CpuBackend.java)

#include "common.cuh"

// LSTM, gate order i, f, g, o.
// gates (B,4H) pre-activations in, activations sigmoid(i), sigmoid(f), tanh(g), sigmoid(o) out;
// cPrev (B,H) -> cOut (B,H) = f*cPrev + i*g, hOut (B,H) = o*tanh(cOut);
// tanhC (B,H) = tanh(cOut) when writeTanhC. cOut may be cPrev.
extern "C" __global__ void lstm_forward(float* gates, const float* cPrev, float* cOut, float* hOut,
                                        float* tanhC, int B, int H, int writeTanhC) {
    const int n = B * H;
    GRID_STRIDE_LOOP(idx, n) {
        const int b = idx / H;
        const int j = idx - b * H;
        float* g = gates + (size_t)b * 4 * H;
        const float i = sigmoid_stable(g[j]);
        const float f = sigmoid_stable(g[H + j]);
        const float gg = tanhf(g[2 * H + j]);
        const float o = sigmoid_stable(g[3 * H + j]);
        g[j] = i;
        g[H + j] = f;
        g[2 * H + j] = gg;
        g[3 * H + j] = o;
        const float c = f * cPrev[idx] + i * gg;
        const float t = tanhf(c);
        cOut[idx] = c;
        if (writeTanhC) tanhC[idx] = t;
        hOut[idx] = o * t;
    }
}

// LSTM backward. acts (B,4H) the forward activations, cPrev, tanhC, dh (B,H) in;
// dc (B,H) in as dL/dc', out as dL/dcPrev; dGates (B,4H) out: the pre-activation gradients.
extern "C" __global__ void lstm_backward(const float* acts, const float* cPrev, const float* tanhC, const float* dh,
                                         float* dc, float* dGates, int B, int H) {
    const int n = B * H;
    GRID_STRIDE_LOOP(idx, n) {
        const int b = idx / H;
        const int j = idx - b * H;
        const float* a = acts + (size_t)b * 4 * H;
        float* dg = dGates + (size_t)b * 4 * H;
        const float i = a[j];
        const float f = a[H + j];
        const float gg = a[2 * H + j];
        const float o = a[3 * H + j];
        const float t = tanhC[idx];
        const float dhv = dh[idx];
        const float dct = dc[idx] + dhv * o * (1.0f - t * t);
        dg[j] = dct * gg * i * (1.0f - i);
        dg[H + j] = dct * cPrev[idx] * f * (1.0f - f);
        dg[2 * H + j] = dct * i * (1.0f - gg * gg);
        dg[3 * H + j] = dhv * t * o * (1.0f - o);
        dc[idx] = dct * f;
    }
}

// GRU (cuDNN/PyTorch form), gate order r, z, n.
// gx (B,3H) = x W_x + b_x, gh (B,3H) = h W_h + b_h, hPrev (B,H) ->
// r = sigmoid(gx_r + gh_r), z = sigmoid(gx_z + gh_z), n = tanh(gx_n + r*gh_n),
// hOut (B,H) = (1 - z)*n + z*hPrev; gx is overwritten with r, z, n. hOut may be hPrev.
extern "C" __global__ void gru_forward(float* gx, const float* gh, const float* hPrev, float* hOut, int B, int H) {
    const int n = B * H;
    GRID_STRIDE_LOOP(idx, n) {
        const int b = idx / H;
        const int j = idx - b * H;
        float* x = gx + (size_t)b * 3 * H;
        const float* h = gh + (size_t)b * 3 * H;
        const float r = sigmoid_stable(x[j] + h[j]);
        const float z = sigmoid_stable(x[H + j] + h[H + j]);
        const float nn = tanhf(x[2 * H + j] + r * h[2 * H + j]);
        x[j] = r;
        x[H + j] = z;
        x[2 * H + j] = nn;
        hOut[idx] = (1.0f - z) * nn + z * hPrev[idx];
    }
}

// GRU backward. acts (B,3H) = r, z, n; gh (B,3H); hPrev, dhOut (B,H) ->
// dgx, dgh (B,3H) the gradients of the two pre-activation sums, dhDirect (B,H) = dhOut * z.
extern "C" __global__ void gru_backward(const float* acts, const float* gh, const float* hPrev, const float* dhOut,
                                        float* dgx, float* dgh, float* dhDirect, int B, int H) {
    const int n = B * H;
    GRID_STRIDE_LOOP(idx, n) {
        const int b = idx / H;
        const int j = idx - b * H;
        const size_t row = (size_t)b * 3 * H;
        const float r = acts[row + j];
        const float z = acts[row + H + j];
        const float nn = acts[row + 2 * H + j];
        const float d = dhOut[idx];
        const float dan = d * (1.0f - z) * (1.0f - nn * nn);
        const float daz = d * (hPrev[idx] - nn) * z * (1.0f - z);
        const float dar = dan * gh[row + 2 * H + j] * r * (1.0f - r);
        dgx[row + j] = dar;
        dgx[row + H + j] = daz;
        dgx[row + 2 * H + j] = dan;
        dgh[row + j] = dar;
        dgh[row + H + j] = daz;
        dgh[row + 2 * H + j] = dan * r;
        dhDirect[idx] = d * z;
    }
}
