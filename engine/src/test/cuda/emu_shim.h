// emu_shim.h: just enough of CUDA's device-side language to compile the kernels of
// engine/src/main/cuda as plain C++ and run them on the CPU (used by emulate.cpp and fakecuda.cpp).
// launch() runs a grid a block at a time: one OS thread per CUDA thread with a real barrier for
// __syncthreads and a per-warp exchange for the shuffles, or the threads one after another for
// kernels without either.
#pragma once

#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>


struct uint3e { unsigned x = 0, y = 0, z = 0; };
struct dim3 {
    unsigned x = 1, y = 1, z = 1;
    dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};

struct Warp {
    std::barrier<> bar{32};
    float vals[32];
};

thread_local uint3e threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
thread_local std::barrier<>* emu_block_barrier = nullptr;
thread_local Warp* emu_warp = nullptr;
thread_local int emu_lane = 0;
inline std::mutex emu_atomic_lock;
inline bool emu_serial = false;

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __shared__ static

inline void __syncthreads() {
    if (emu_serial) { std::fprintf(stderr, "__syncthreads in a serial launch\n"); std::abort(); }
    emu_block_barrier->arrive_and_wait();
}

inline float __shfl_xor_sync(unsigned, float v, int lanes) {
    if (emu_serial) { std::fprintf(stderr, "shuffle in a serial launch\n"); std::abort(); }
    emu_warp->vals[emu_lane] = v;
    emu_warp->bar.arrive_and_wait();
    float r = emu_warp->vals[emu_lane ^ lanes];
    emu_warp->bar.arrive_and_wait();
    return r;
}

inline float __int_as_float(unsigned bits) {
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline float atomicAdd(float* p, float v) {
    std::lock_guard<std::mutex> g(emu_atomic_lock);
    float old = *p;
    *p = old + v;
    return old;
}

// threaded: one OS thread per CUDA thread with barriers; serial: threads one after another
inline void launch(dim3 grid, dim3 block, bool threaded, const std::function<void()>& kernel) {
    gridDim = grid;
    blockDim = block;
    const unsigned nt = block.x * block.y * block.z;
    if (threaded && nt % 32 != 0) { std::fprintf(stderr, "block of %u threads is not whole warps\n", nt); std::abort(); }
    emu_serial = !threaded;
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++) {
                auto body = [&](unsigned t, std::barrier<>* bar, Warp* warps) {
                    threadIdx = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
                    blockIdx = {bx, by, bz};
                    emu_block_barrier = bar;
                    emu_warp = warps ? &warps[t / 32] : nullptr;
                    emu_lane = t % 32;
                    kernel();
                };
                if (!threaded) {
                    for (unsigned t = 0; t < nt; t++) body(t, nullptr, nullptr);
                    continue;
                }
                std::barrier<> bar(nt);
                std::unique_ptr<Warp[]> warps(new Warp[nt / 32]);
                std::vector<std::thread> threads;
                threads.reserve(nt);
                for (unsigned t = 0; t < nt; t++) threads.emplace_back(body, t, &bar, warps.get());
                for (auto& th : threads) th.join();
            }
}

