// emu_shim.h: just enough of CUDA's device-side language to compile the kernels of
// engine/src/main/cuda as plain C++ and run them on the CPU (used by emulate.cpp and fakecuda.cpp).
// launch() runs a grid a block at a time: one OS thread per CUDA thread (from a pool kept across
// launches: creating them per block dominated) with a real barrier for __syncthreads and a
// per-warp exchange for the shuffles, or the threads one after another for kernels without either.
#pragma once

#include <barrier>
#include <condition_variable>
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

// Worker threads that run one block's CUDA threads at a time: run(n, f) calls f(0..n-1), one per
// worker, and returns when all have returned. Workers are made on demand and live until exit.
class EmuPool {
public:
    static EmuPool& get() {
        static EmuPool pool;
        return pool;
    }

    void run(unsigned n, const std::function<void(unsigned)>& f) {
        std::unique_lock<std::mutex> l(m_);
        while (workers_.size() < n) {
            unsigned id = (unsigned)workers_.size();
            workers_.emplace_back([this, id] { loop(id); });
        }
        job_ = &f;
        active_ = n;
        remaining_ = n;
        generation_++;
        start_.notify_all();
        done_.wait(l, [&] { return remaining_ == 0; });
        job_ = nullptr;
    }

    ~EmuPool() {
        {
            std::lock_guard<std::mutex> l(m_);
            stop_ = true;
        }
        start_.notify_all();
        for (auto& t : workers_) t.join();
    }

private:
    void loop(unsigned id) {
        unsigned long seen = 0;
        for (;;) {
            const std::function<void(unsigned)>* job;
            {
                std::unique_lock<std::mutex> l(m_);
                start_.wait(l, [&] { return stop_ || (generation_ != seen && id < active_); });
                if (stop_) return;
                seen = generation_;
                job = job_;
            }
            (*job)(id);
            std::lock_guard<std::mutex> l(m_);
            if (--remaining_ == 0) done_.notify_all();
        }
    }

    std::mutex m_;
    std::condition_variable start_, done_;
    std::vector<std::thread> workers_;
    const std::function<void(unsigned)>* job_ = nullptr;
    unsigned long generation_ = 0;
    unsigned active_ = 0, remaining_ = 0;
    bool stop_ = false;
};

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
                EmuPool::get().run(nt, [&](unsigned t) { body(t, &bar, warps.get()); });
            }
}

