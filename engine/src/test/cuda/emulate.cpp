// emulate.cpp: runs the CUDA kernels of engine/src/main/cuda on the CPU, to check their index math
// where no GPU exists. The .cu files are compiled as plain C++ against a small shim: one OS thread
// per CUDA thread (a block at a time) with a real barrier for __syncthreads and a per-warp exchange
// for the shuffles, so the shared-memory tiling, bounds and reductions run as written. Kernels
// without barriers run their threads one after another. The references below follow the Java
// CpuBackend code; the real parity check against CpuBackend itself is GpuCheck / CudaParityTest
// on a GPU.
//
// Build and run: engine/src/test/cuda/run-emulated.sh (g++ with C++20).

#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "emu_shim.h"

// ---- the kernels, as written ----

#include "../../main/cuda/gemm.cu"
#include "../../main/cuda/activation.cu"
#include "../../main/cuda/softmax.cu"
#include "../../main/cuda/recurrent.cu"
#include "../../main/cuda/im2col.cu"
#include "../../main/cuda/pool.cu"

// ---- checks ----

static int failures = 0;
static int checks = 0;
static std::mt19937 rng(12345);

static std::vector<float> rnd(size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

static void expect(const std::string& what, const std::vector<float>& got, const std::vector<float>& want,
                   double atol, double rtol) {
    checks++;
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < got.size(); i++) {
        double d = std::fabs((double)got[i] - want[i]);
        double tol = atol + rtol * std::fabs(want[i]);
        double r = std::isnan(got[i]) != std::isnan(want[i]) ? INFINITY : (d == 0 ? 0 : d / tol);
        if (r > worst || std::isnan(r)) { worst = std::isnan(r) ? INFINITY : r; at = i; }
    }
    bool ok = worst <= 1.0 && got.size() == want.size();
    if (!ok) failures++;
    std::printf("%-4s %-60s err/tol %.3g%s\n", ok ? "ok" : "FAIL", what.c_str(), worst,
                ok ? "" : (" at " + std::to_string(at) + ": got " + std::to_string(got[at]) + " want "
                           + std::to_string(want[at])).c_str());
}

static void expect_ints(const std::string& what, const std::vector<int>& got, const std::vector<int>& want) {
    checks++;
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); i++) bad += got[i] != want[i];
    if (bad) failures++;
    std::printf("%-4s %-60s %zu differ\n", bad ? "FAIL" : "ok", what.c_str(), bad);
}

static unsigned blocks1d(int n) { return (unsigned)std::min<long>((n + 255L) / 256, 65535); }

// gemm as CudaBackend launches it, against a double-precision reference
static void check_gemm(int batch, int M, int N, int K, bool ta, bool tb, float alpha, float beta) {
    int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
    long long sA = (long long)M * K, sB = (long long)K * N, sC = (long long)M * N;
    auto A = rnd(batch * sA, -1, 1), B = rnd(batch * sB, -1, 1);
    auto C0 = beta == 0 ? std::vector<float>(batch * sC, NAN) : rnd(batch * sC, -1, 1);
    auto C = C0;
    std::vector<float> want(batch * sC), tol(batch * sC);
    for (int b = 0; b < batch; b++)
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++) {
                double s = 0, sa = 0;
                for (int k = 0; k < K; k++) {
                    double a = ta ? A[b * sA + (size_t)k * lda + m] : A[b * sA + (size_t)m * lda + k];
                    double bb = tb ? B[b * sB + (size_t)n * ldb + k] : B[b * sB + (size_t)k * ldb + n];
                    s += a * bb;
                    sa += std::fabs(a * bb);
                }
                size_t i = b * sC + (size_t)m * ldc + n;
                want[i] = (float)(alpha * s + (beta == 0 ? 0.0 : beta * (double)C0[i]));
                tol[i] = (float)(1.2e-7 * (K + 2) * (std::fabs(alpha) * sa + (beta == 0 ? 0 : std::fabs(beta * C0[i]))));
            }
    dim3 grid((N + 127) / 128, (M + 127) / 128, batch);
    launch(grid, dim3(256), true, [&] {
        gemm_forward(A.data(), B.data(), C.data(), M, N, K, lda, ldb, ldc, batch > 1 ? sA : 0, batch > 1 ? sB : 0,
                     batch > 1 ? sC : 0, ta, tb, alpha, beta);
    });
    char name[128];
    std::snprintf(name, sizeof name, "gemm %s%s batch=%d %dx%dx%d a=%g b=%g", ta ? "T" : "N", tb ? "T" : "N", batch, M,
                  N, K, alpha, beta);
    checks++;
    double worst = 0;
    for (size_t i = 0; i < C.size(); i++) {
        double d = std::fabs((double)C[i] - want[i]);
        double r = std::isnan(C[i]) ? INFINITY : d / (tol[i] + 1e-30);
        worst = std::max(worst, r);
    }
    bool ok = worst <= 1.0;
    if (!ok) failures++;
    std::printf("%-4s %-60s err/tol %.3g\n", ok ? "ok" : "FAIL", name, worst);
}

static float sigmoid_ref(float v) {
    if (v >= 0) return (float)(1.0 / (1.0 + std::exp(-(double)v)));
    double e = std::exp((double)v);
    return (float)(e / (1.0 + e));
}

static void check_activations(int n) {
    auto x = rnd(n, -8, 8), gy = rnd(n, -1, 1);
    const float slope = 0.1f;
    std::vector<float> y(n), want(n), gx(n), gwant(n), ys(n), yt(n);
    for (int i = 0; i < n; i++) { ys[i] = sigmoid_ref(x[i]); yt[i] = std::tanh(x[i]); }
    unsigned g = blocks1d(n);
    auto run = [&](auto k) { launch(dim3(g), dim3(256), false, k); };
    std::string sz = " n=" + std::to_string(n);

    run([&] { sigmoid_forward(x.data(), y.data(), n); });
    expect("sigmoid_forward" + sz, y, ys, 1e-6, 1e-5);
    run([&] { tanh_forward(x.data(), y.data(), n); });
    expect("tanh_forward" + sz, y, yt, 1e-6, 1e-5);
    for (int i = 0; i < n; i++) want[i] = std::max(x[i], 0.0f);
    run([&] { relu_forward(x.data(), y.data(), n); });
    expect("relu_forward" + sz, y, want, 0, 0);
    for (int i = 0; i < n; i++) want[i] = x[i] > 0 ? x[i] : slope * x[i];
    run([&] { leaky_relu_forward(x.data(), y.data(), n, slope); });
    expect("leaky_relu_forward" + sz, y, want, 0, 0);

    for (int i = 0; i < n; i++) gwant[i] = gy[i] * ys[i] * (1 - ys[i]);
    run([&] { sigmoid_backward(ys.data(), gy.data(), gx.data(), n); });
    expect("sigmoid_backward" + sz, gx, gwant, 1e-7, 1e-6);
    for (int i = 0; i < n; i++) gwant[i] = gy[i] * (1 - yt[i] * yt[i]);
    run([&] { tanh_backward(yt.data(), gy.data(), gx.data(), n); });
    expect("tanh_backward" + sz, gx, gwant, 1e-7, 1e-6);
    for (int i = 0; i < n; i++) gwant[i] = x[i] > 0 ? gy[i] : 0;
    run([&] { relu_backward(x.data(), gy.data(), gx.data(), n); });
    expect("relu_backward" + sz, gx, gwant, 0, 0);
    for (int i = 0; i < n; i++) gwant[i] = x[i] > 0 ? gy[i] : slope * gy[i];
    auto gin = gy;   // in place: gx == gy
    run([&] { leaky_relu_backward(x.data(), gin.data(), gin.data(), n, slope); });
    expect("leaky_relu_backward in place" + sz, gin, gwant, 0, 0);
}

static void check_bias(int rows, int cols) {
    auto x = rnd((size_t)rows * cols, -1, 1), b = rnd(cols, -1, 1);
    auto want = x;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) want[(size_t)r * cols + c] += b[c];
    launch(dim3(blocks1d(rows * cols)), dim3(256), false, [&] { add_bias_forward(x.data(), b.data(), rows, cols); });
    expect("add_bias_forward " + std::to_string(rows) + "x" + std::to_string(cols), x, want, 0, 0);
}

static void check_softmax(int N, int C) {
    auto x = rnd((size_t)N * C, -20, 20);
    std::vector<int> labels(N);
    for (int i = 0; i < N; i++) labels[i] = (int)(rng() % C);
    std::vector<float> sm(N * C), lsm(N * C), losses(N), grad(N * C);
    for (int r = 0; r < N; r++) {
        double mx = -INFINITY;
        for (int j = 0; j < C; j++) mx = std::max(mx, (double)x[r * C + j]);
        double s = 0;
        for (int j = 0; j < C; j++) s += std::exp(x[r * C + j] - mx);
        double lse = mx + std::log(s);
        for (int j = 0; j < C; j++) {
            sm[r * C + j] = (float)(std::exp(x[r * C + j] - mx) / s);
            lsm[r * C + j] = (float)(x[r * C + j] - lse);
            grad[r * C + j] = (float)(std::exp(x[r * C + j] - lse) / N - (j == labels[r] ? 1.0 / N : 0.0));
        }
        losses[r] = (float)(lse - x[r * C + labels[r]]);
    }
    std::string sz = " " + std::to_string(N) + "x" + std::to_string(C);
    dim3 grid((N + 3) / 4);
    std::vector<float> y(N * C, NAN);
    launch(grid, dim3(128), true, [&] { softmax_forward(x.data(), y.data(), N, C); });
    expect("softmax_forward" + sz, y, sm, 1e-7, 1e-5);
    auto xin = x;
    launch(grid, dim3(128), true, [&] { log_softmax_forward(xin.data(), xin.data(), N, C); });
    expect("log_softmax_forward in place" + sz, xin, lsm, 1e-5, 1e-5);
    std::vector<float> gl(N, NAN), gg(N * C, NAN);
    launch(grid, dim3(128), true, [&] {
        softmax_xent_forward_backward(x.data(), labels.data(), gl.data(), gg.data(), N, C, 1);
    });
    expect("softmax_xent losses" + sz, gl, losses, 1e-5, 1e-5);
    // p/N - 1/N at the label cancels: the absolute error is a few ulps of 1/N
    expect("softmax_xent grad" + sz, gg, grad, 1e-6 / N, 1e-5);
}

static void check_lstm(int B, int H) {
    std::string sz = " B=" + std::to_string(B) + " H=" + std::to_string(H);
    auto gates = rnd((size_t)B * 4 * H, -4, 4), cp = rnd((size_t)B * H, -2, 2);
    auto acts = gates;
    std::vector<float> co(B * H), ho(B * H), tc(B * H);
    for (int r = 0; r < B; r++)
        for (int j = 0; j < H; j++) {
            float* g = &acts[(size_t)r * 4 * H];
            g[j] = sigmoid_ref(g[j]);
            g[H + j] = sigmoid_ref(g[H + j]);
            g[2 * H + j] = std::tanh(g[2 * H + j]);
            g[3 * H + j] = sigmoid_ref(g[3 * H + j]);
            int s = r * H + j;
            co[s] = g[H + j] * cp[s] + g[j] * g[2 * H + j];
            tc[s] = std::tanh(co[s]);
            ho[s] = tc[s] * g[3 * H + j];
        }
    std::vector<float> gco(B * H, NAN), gho(B * H, NAN), gtc(B * H, NAN);
    auto gg = gates;
    launch(dim3(blocks1d(B * H)), dim3(256), false, [&] {
        lstm_forward(gg.data(), cp.data(), gco.data(), gho.data(), gtc.data(), B, H, 1);
    });
    expect("lstm_forward acts" + sz, gg, acts, 2e-6, 1e-5);
    expect("lstm_forward cOut" + sz, gco, co, 2e-6, 1e-5);
    expect("lstm_forward hOut" + sz, gho, ho, 2e-6, 1e-5);
    expect("lstm_forward tanhC" + sz, gtc, tc, 2e-6, 1e-5);

    auto dh = rnd((size_t)B * H, -1, 1), dc = rnd((size_t)B * H, -1, 1);
    std::vector<float> dg(B * 4 * H), dcw(B * H);
    for (int r = 0; r < B; r++)
        for (int j = 0; j < H; j++) {
            const float* a = &acts[(size_t)r * 4 * H];
            int s = r * H + j;
            float i = a[j], f = a[H + j], g2 = a[2 * H + j], o = a[3 * H + j], t = tc[s], dhv = dh[s];
            float dct = dc[s] + dhv * o * (1 - t * t);
            float* d = &dg[(size_t)r * 4 * H];
            d[j] = dct * g2 * i * (1 - i);
            d[H + j] = dct * cp[s] * f * (1 - f);
            d[2 * H + j] = dct * i * (1 - g2 * g2);
            d[3 * H + j] = dhv * t * o * (1 - o);
            dcw[s] = dct * f;
        }
    std::vector<float> gdg(B * 4 * H, NAN);
    auto gdc = dc;
    launch(dim3(blocks1d(B * H)), dim3(256), false, [&] {
        lstm_backward(acts.data(), cp.data(), tc.data(), dh.data(), gdc.data(), gdg.data(), B, H);
    });
    expect("lstm_backward dGates" + sz, gdg, dg, 1e-6, 1e-5);
    expect("lstm_backward dc" + sz, gdc, dcw, 1e-6, 1e-5);
}

static void check_gru(int B, int H) {
    std::string sz = " B=" + std::to_string(B) + " H=" + std::to_string(H);
    auto gx = rnd((size_t)B * 3 * H, -3, 3), gh = rnd((size_t)B * 3 * H, -3, 3), hp = rnd((size_t)B * H, -1, 1);
    auto acts = gx;
    std::vector<float> ho(B * H);
    for (int r = 0; r < B; r++)
        for (int j = 0; j < H; j++) {
            float* x = &acts[(size_t)r * 3 * H];
            const float* h = &gh[(size_t)r * 3 * H];
            x[j] = sigmoid_ref(x[j] + h[j]);
            x[H + j] = sigmoid_ref(x[H + j] + h[H + j]);
            x[2 * H + j] = std::tanh(x[2 * H + j] + x[j] * h[2 * H + j]);
            float z = x[H + j];
            ho[r * H + j] = (1 - z) * x[2 * H + j] + z * hp[r * H + j];
        }
    auto ggx = gx;
    std::vector<float> gho(B * H, NAN);
    launch(dim3(blocks1d(B * H)), dim3(256), false, [&] { gru_forward(ggx.data(), gh.data(), hp.data(), gho.data(), B, H); });
    expect("gru_forward acts" + sz, ggx, acts, 2e-6, 1e-5);
    expect("gru_forward hOut" + sz, gho, ho, 2e-6, 1e-5);

    auto dh = rnd((size_t)B * H, -1, 1);
    std::vector<float> dgx(B * 3 * H), dgh(B * 3 * H), dd(B * H);
    for (int r = 0; r < B; r++)
        for (int j = 0; j < H; j++) {
            const float* a = &acts[(size_t)r * 3 * H];
            float rr = a[j], z = a[H + j], n = a[2 * H + j], d = dh[r * H + j];
            float dan = d * (1 - z) * (1 - n * n);
            float daz = d * (hp[r * H + j] - n) * z * (1 - z);
            float dar = dan * gh[(size_t)r * 3 * H + 2 * H + j] * rr * (1 - rr);
            size_t row = (size_t)r * 3 * H;
            dgx[row + j] = dar; dgx[row + H + j] = daz; dgx[row + 2 * H + j] = dan;
            dgh[row + j] = dar; dgh[row + H + j] = daz; dgh[row + 2 * H + j] = dan * rr;
            dd[r * H + j] = d * z;
        }
    std::vector<float> g1(B * 3 * H, NAN), g2(B * 3 * H, NAN), g3(B * H, NAN);
    launch(dim3(blocks1d(B * H)), dim3(256), false, [&] {
        gru_backward(acts.data(), gh.data(), hp.data(), dh.data(), g1.data(), g2.data(), g3.data(), B, H);
    });
    expect("gru_backward dgx" + sz, g1, dgx, 1e-6, 1e-5);
    expect("gru_backward dgh" + sz, g2, dgh, 1e-6, 1e-5);
    expect("gru_backward dhDirect" + sz, g3, dd, 1e-6, 1e-5);
}

static void check_im2col(int C, int H, int W, int kH, int kW, int sH, int sW, int pH, int pW) {
    int oh = (H + 2 * pH - kH) / sH + 1, ow = (W + 2 * pW - kW) / sW + 1, plane = oh * ow;
    int rows = C * kH * kW;
    char buf[128];
    std::snprintf(buf, sizeof buf, " C%d %dx%d k%dx%d s%dx%d p%dx%d", C, H, W, kH, kW, sH, sW, pH, pW);
    auto img = rnd((size_t)C * H * W, -1, 1);
    std::vector<float> want((size_t)rows * plane, 0.f);
    int row = 0;   // the CpuBackend loop order
    for (int ch = 0; ch < C; ch++)
        for (int ki = 0; ki < kH; ki++)
            for (int kj = 0; kj < kW; kj++, row++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++) {
                        int iy = y * sH - pH + ki, ix = x * sW - pW + kj;
                        want[(size_t)row * plane + y * ow + x] =
                            (iy >= 0 && iy < H && ix >= 0 && ix < W) ? img[((size_t)ch * H + iy) * W + ix] : 0.f;
                    }
    std::vector<float> cols((size_t)rows * plane, NAN);
    launch(dim3(blocks1d(rows * plane)), dim3(256), false, [&] {
        im2col_forward(img.data(), cols.data(), C, H, W, kH, kW, sH, sW, pH, pW, oh, ow);
    });
    expect(std::string("im2col_forward") + buf, cols, want, 0, 0);

    auto cin = rnd((size_t)rows * plane, -1, 1);
    auto base = rnd((size_t)C * H * W, -1, 1);
    std::vector<double> acc(base.begin(), base.end());
    row = 0;
    for (int ch = 0; ch < C; ch++)
        for (int ki = 0; ki < kH; ki++)
            for (int kj = 0; kj < kW; kj++, row++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++) {
                        int iy = y * sH - pH + ki, ix = x * sW - pW + kj;
                        if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                            acc[((size_t)ch * H + iy) * W + ix] += cin[(size_t)row * plane + y * ow + x];
                    }
    std::vector<float> iwant(acc.begin(), acc.end());
    auto image = base;
    launch(dim3(blocks1d(C * H * W)), dim3(256), false, [&] {
        col2im_backward(cin.data(), image.data(), C, H, W, kH, kW, sH, sW, pH, pW, oh, ow);
    });
    expect(std::string("col2im_backward") + buf, image, iwant, 1e-6, 1e-6);
}

// the batched lowering against im2col_forward per image (itself checked against the CPU order above)
static void check_im2col_batch(int N, int C, int H, int W, int k, int st, int pad) {
    int oh = (H + 2 * pad - k) / st + 1, ow = (W + 2 * pad - k) / st + 1, plane = oh * ow, rows = C * k * k;
    char buf[128];
    std::snprintf(buf, sizeof buf, " N%d C%d %dx%d k%d s%d p%d", N, C, H, W, k, st, pad);
    auto imgs = rnd((size_t)N * C * H * W, -1, 1);
    std::vector<float> want((size_t)rows * N * plane);
    for (int n = 0; n < N; n++) {
        std::vector<float> one((size_t)rows * plane);
        const float* img = imgs.data() + (size_t)n * C * H * W;
        launch(dim3(blocks1d(rows * plane)), dim3(256), false, [&] {
            im2col_forward(img, one.data(), C, H, W, k, k, st, st, pad, pad, oh, ow);
        });
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < plane; p++) want[((size_t)r * N + n) * plane + p] = one[(size_t)r * plane + p];
    }
    std::vector<float> cols(want.size(), NAN);
    launch(dim3(blocks1d((int)cols.size())), dim3(256), false, [&] {
        im2col_batch_forward(imgs.data(), cols.data(), N, C, H, W, k, k, st, st, pad, pad, oh, ow);
    });
    expect(std::string("im2col_batch_forward") + buf, cols, want, 0, 0);
}

// ConvKernels.convOutput's loop, in the same order of additions
static void check_conv_output(int F, int N, int S, bool shift, bool residual, bool relu) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " F%d N%d S%d shift%d res%d relu%d", F, N, S, shift, residual, relu);
    auto x = rnd((size_t)F * N * S, -1, 1);
    auto sh = rnd(F, -0.5, 0.5);
    auto res = rnd((size_t)F * N * S, -1, 1);
    std::vector<float> want((size_t)F * N * S);
    for (int c = 0; c < F; c++)
        for (int i = 0; i < N; i++)
            for (int k = 0; k < S; k++) {
                int dst = (i * F + c) * S + k;
                float v = x[((size_t)c * N + i) * S + k] + (shift ? sh[c] : 0.f);
                if (residual) v += res[dst];
                want[dst] = relu ? std::max(v, 0.f) : v;
            }
    std::vector<float> out(want.size(), NAN);
    launch(dim3(blocks1d((int)out.size())), dim3(256), false, [&] {
        conv_output_forward(x.data(), sh.data(), res.data(), out.data(), F, N, S, shift, residual, relu);
    });
    expect(std::string("conv_output_forward") + buf, out, want, 0, 0);
}

static void check_maxpool(int P, int H, int W, int w, int s) {
    int oh = (H - w) / s + 1, ow = (W - w) / s + 1, n = P * oh * ow;
    char buf[96];
    std::snprintf(buf, sizeof buf, " P%d %dx%d w%d s%d", P, H, W, w, s);
    auto in = rnd((size_t)P * H * W, -1, 1);
    std::vector<float> want(n);
    std::vector<int> awant(n);
    int o = 0;
    for (int pl = 0; pl < P; pl++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++, o++) {
                int base = pl * H * W;
                int best = base + (y * s) * W + x * s;
                float bv = in[best];
                for (int wy = 0; wy < w; wy++)
                    for (int wx = 0; wx < w; wx++) {
                        int idx = base + (y * s + wy) * W + x * s + wx;
                        if (in[idx] > bv) { bv = in[idx]; best = idx; }
                    }
                want[o] = bv;
                awant[o] = best;
            }
    std::vector<float> out(n, NAN);
    std::vector<int> arg(n, -1);
    launch(dim3(blocks1d(n)), dim3(256), false, [&] {
        maxpool_forward(in.data(), out.data(), arg.data(), P, H, W, w, w, s, s, oh, ow);
    });
    expect(std::string("maxpool_forward") + buf, out, want, 0, 0);
    expect_ints(std::string("maxpool_forward argmax") + buf, arg, awant);

    auto go = rnd(n, -1, 1);
    auto gi = rnd((size_t)P * H * W, -1, 1);
    std::vector<double> acc(gi.begin(), gi.end());
    for (int i = 0; i < n; i++) acc[awant[i]] += go[i];
    std::vector<float> gwant(acc.begin(), acc.end());
    launch(dim3(blocks1d(n)), dim3(256), false, [&] { maxpool_backward(go.data(), awant.data(), gi.data(), n); });
    expect(std::string("maxpool_backward") + buf, gi, gwant, 1e-6, 1e-6);
}

// PoolKernels.avgPool's loop: the window summed row by row in float, times 1/(wH*wW)
static void check_avgpool(int P, int H, int W, int w, int s) {
    int oh = (H - w) / s + 1, ow = (W - w) / s + 1, n = P * oh * ow;
    char buf[96];
    std::snprintf(buf, sizeof buf, " P%d %dx%d w%d s%d", P, H, W, w, s);
    auto in = rnd((size_t)P * H * W, -1, 1);
    std::vector<float> want(n);
    float inv = 1.0f / (w * w);
    int o = 0;
    for (int pl = 0; pl < P; pl++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++, o++) {
                float sum = 0.f;
                for (int wy = 0; wy < w; wy++)
                    for (int wx = 0; wx < w; wx++) sum += in[pl * H * W + (y * s + wy) * W + x * s + wx];
                want[o] = sum * inv;
            }
    std::vector<float> out(n, NAN);
    launch(dim3(blocks1d(n)), dim3(256), false, [&] {
        avgpool_forward(in.data(), out.data(), P, H, W, w, w, s, s, oh, ow);
    });
    expect(std::string("avgpool_forward") + buf, out, want, 0, 0);
}

int main() {
    const int sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {7, 5, 3}, {17, 33, 9}, {129, 257, 65}, {130, 129, 20}, {64, 64, 64}};
    for (auto& s : sizes)
        for (int t = 0; t < 4; t++) {
            check_gemm(1, s[0], s[1], s[2], t & 1, t & 2, 1.0f, 0.0f);
            check_gemm(1, s[0], s[1], s[2], t & 1, t & 2, -1.5f, 0.75f);
        }
    for (int t = 0; t < 4; t++) check_gemm(3, 33, 17, 65, t & 1, t & 2, 0.5f, 0.25f);
    // gemv as CudaBackend maps it: y (out,1) = op(A) x, ldb = ldc = 1
    check_gemm(1, 37, 1, 53, false, false, 1.25f, 0.0f);
    check_gemm(1, 53, 1, 37, true, false, 1.25f, 0.5f);

    for (int n : {1, 1000, 65537}) check_activations(n);
    check_bias(1, 1);
    check_bias(7, 13);
    check_bias(1000, 257);
    for (auto s : {std::pair{1, 1}, {3, 5}, {64, 10}, {17, 1000}, {2, 5000}, {9, 33}}) check_softmax(s.first, s.second);
    for (auto s : {std::pair{1, 1}, {3, 5}, {64, 128}, {33, 257}}) {
        check_lstm(s.first, s.second);
        check_gru(s.first, s.second);
    }
    check_im2col(1, 28, 28, 5, 5, 1, 1, 2, 2);
    check_im2col(3, 7, 9, 3, 3, 2, 2, 1, 1);
    check_im2col(2, 5, 5, 2, 3, 1, 2, 0, 1);
    check_im2col(6, 14, 14, 5, 5, 1, 1, 0, 0);
    check_im2col_batch(1, 1, 28, 28, 5, 1, 2);
    check_im2col_batch(3, 6, 14, 14, 5, 1, 0);
    check_im2col_batch(4, 3, 8, 8, 3, 2, 1);
    for (int m = 0; m < 8; m++) check_conv_output(6, 3, 25, m & 1, m & 2, m & 4);
    check_conv_output(1, 1, 1, true, false, true);
    check_maxpool(6, 8, 8, 2, 2);
    check_maxpool(2, 7, 9, 3, 2);
    check_maxpool(3, 5, 6, 3, 1);
    check_avgpool(64, 7, 7, 7, 7);
    check_avgpool(3, 6, 6, 2, 2);
    std::printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
