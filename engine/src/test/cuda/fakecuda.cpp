// fakecuda.cpp: a stand-in libcuda.so.1 for machines without a GPU. It implements the handful of
// driver API calls CudaBackend makes through JCuda, with "device" memory in host memory and
// cuLaunchKernel running the real kernel sources on the CPU (emu_shim.h). With it on
// LD_LIBRARY_PATH the whole Java side runs end to end (JCuda's marshalling of kernel arguments,
// launch configurations, scratch buffers, offsets, the device-resident API, GpuCheck itself) and
// the parity cases compare the kernels' results with CpuBackend. It proves nothing about a real
// device: PTX JIT, real memory, timing.
//
// Build and use: engine/src/test/cuda/run-fake-gpu-check.sh

#include "emu_shim.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "../../main/cuda/gemm.cu"
#include "../../main/cuda/activation.cu"
#include "../../main/cuda/softmax.cu"
#include "../../main/cuda/recurrent.cu"
#include "../../main/cuda/im2col.cu"
#include "../../main/cuda/pool.cu"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
struct CUctx_st { int dummy; };
struct CUmod_st { std::set<std::string> entries; };
struct CUevent_st { std::chrono::steady_clock::time_point at; };
typedef CUctx_st* CUcontext;
typedef CUmod_st* CUmodule;
typedef CUevent_st* CUevent;
typedef void* CUstream;

enum {
    OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_DEVICE = 101,
    INVALID_IMAGE = 200, INVALID_CONTEXT = 201, NOT_FOUND = 500, ILLEGAL_ADDRESS = 700, LAUNCH_FAILED = 719
};

static std::mutex lock_;
static bool initialised = false;
static CUctx_st the_context;
static std::map<uintptr_t, size_t> allocations;   // start -> bytes

static void fail(const char* what) { std::fprintf(stderr, "[fakecuda] %s\n", what); }

// the allocation holding p, or false
static bool live(uintptr_t p, size_t bytes) {
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return false;
    --it;
    return p >= it->first && p + bytes <= it->first + it->second;
}

// ---- kernels by name, their arguments unpacked from void** by the kernel's own signature ----

typedef std::function<CUresult(dim3, dim3, void**)> Launcher;

template <typename T>
static bool check_arg(void* slot, int index, const char* name) {
    if constexpr (std::is_pointer_v<T>) {
        uintptr_t p = (uintptr_t) * static_cast<T*>(slot);
        if (!live(p, 1)) {
            std::fprintf(stderr, "[fakecuda] %s: argument %d (%p) is not in a live allocation\n", name, index, (void*)p);
            return false;
        }
    }
    return true;
}

template <typename... Args, size_t... I>
static CUresult call(const char* name, void (*k)(Args...), dim3 g, dim3 b, bool threaded, void** p,
                     std::index_sequence<I...>) {
    bool ok = (check_arg<Args>(p[I], (int)I, name) && ...);
    if (!ok) return ILLEGAL_ADDRESS;
    launch(g, b, threaded, [&] { k(*static_cast<Args*>(p[I])...); });
    return OK;
}

template <typename... Args>
static Launcher make(const char* name, void (*k)(Args...), bool threaded) {
    return [=](dim3 g, dim3 b, void** p) { return call(name, k, g, b, threaded, p, std::index_sequence_for<Args...>{}); };
}

#define KERNEL(name, threaded) {#name, make(#name, &name, threaded)}

static const std::map<std::string, Launcher>& kernels() {
    static const std::map<std::string, Launcher> k = {
        KERNEL(gemm_forward, true),
        KERNEL(sigmoid_forward, false), KERNEL(sigmoid_backward, false),
        KERNEL(tanh_forward, false), KERNEL(tanh_backward, false),
        KERNEL(relu_forward, false), KERNEL(relu_backward, false),
        KERNEL(leaky_relu_forward, false), KERNEL(leaky_relu_backward, false),
        KERNEL(add_bias_forward, false),
        KERNEL(softmax_forward, true), KERNEL(log_softmax_forward, true),
        KERNEL(softmax_xent_forward_backward, true),
        KERNEL(lstm_forward, false), KERNEL(lstm_backward, false),
        KERNEL(gru_forward, false), KERNEL(gru_backward, false),
        KERNEL(im2col_forward, false), KERNEL(col2im_backward, false),
        KERNEL(im2col_batch_forward, false), KERNEL(conv_output_forward, false),
        KERNEL(maxpool_forward, false), KERNEL(maxpool_backward, false),
        KERNEL(avgpool_forward, false),
    };
    return k;
}

struct CUfunc_st { std::string name; Launcher launcher; };
typedef CUfunc_st* CUfunction;

// ---- the driver API subset ----

extern "C" {

CUresult cuInit(unsigned int) { initialised = true; return OK; }

CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }

CUresult cuDeviceGetCount(int* n) {
    if (!initialised) return NOT_INITIALIZED;
    *n = 1;
    return OK;
}

CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    if (ordinal != 0) return INVALID_DEVICE;
    *d = 0;
    return OK;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice) {
    std::snprintf(name, len, "fakecuda (kernels emulated on the CPU)");
    return OK;
}

CUresult cuDeviceGetAttribute(int* v, int attr, CUdevice) {
    switch (attr) {
        case 75: *v = 9; break;    // compute capability major
        case 76: *v = 0; break;    // minor
        case 16: *v = 2; break;    // multiprocessors
        default: *v = 0;
    }
    return OK;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice) { *bytes = 1ull << 32; return OK; }

CUresult cuDevicePrimaryCtxRetain(CUcontext* c, CUdevice) { *c = &the_context; return OK; }

CUresult cuCtxSetCurrent(CUcontext c) { return c == &the_context ? OK : INVALID_CONTEXT; }

CUresult cuCtxSynchronize() { return OK; }

CUresult cuModuleLoadData(CUmodule* m, const void* image) {
    std::string ptx(static_cast<const char*>(image));
    if (ptx.find(".version") == std::string::npos || ptx.find(".target") == std::string::npos) return INVALID_IMAGE;
    auto* mod = new CUmod_st();
    for (size_t at = ptx.find(".entry "); at != std::string::npos; at = ptx.find(".entry ", at + 1)) {
        size_t s = at + 7, e = ptx.find('(', s);
        mod->entries.insert(ptx.substr(s, e - s));
    }
    *m = mod;
    return OK;
}

CUresult cuModuleGetFunction(CUfunction* f, CUmodule m, const char* name) {
    auto it = kernels().find(name);
    if (!m->entries.count(name) || it == kernels().end()) {
        std::fprintf(stderr, "[fakecuda] no kernel %s in the module\n", name);
        return NOT_FOUND;
    }
    *f = new CUfunc_st{name, it->second};
    return OK;
}

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    if (bytes == 0) return INVALID_VALUE;
    void* mem = std::malloc(bytes);
    if (!mem) return OUT_OF_MEMORY;
    std::lock_guard<std::mutex> g(lock_);
    allocations[(uintptr_t)mem] = bytes;
    *p = (CUdeviceptr)(uintptr_t)mem;
    return OK;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
    std::lock_guard<std::mutex> g(lock_);
    auto it = allocations.find((uintptr_t)p);
    if (it == allocations.end()) { fail("cuMemFree of an unknown pointer"); return INVALID_VALUE; }
    std::free((void*)(uintptr_t)p);
    allocations.erase(it);
    return OK;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    if (!live((uintptr_t)dst, bytes)) { fail("cuMemcpyHtoD outside an allocation"); return INVALID_VALUE; }
    std::memcpy((void*)(uintptr_t)dst, src, bytes);
    return OK;
}

CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    if (!live((uintptr_t)src, bytes)) { fail("cuMemcpyDtoH outside an allocation"); return INVALID_VALUE; }
    std::memcpy(dst, (void*)(uintptr_t)src, bytes);
    return OK;
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int v, size_t n) {
    if (!live((uintptr_t)dst, 4 * n)) { fail("cuMemsetD32 outside an allocation"); return INVALID_VALUE; }
    auto* p = (unsigned int*)(uintptr_t)dst;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return OK;
}

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shmem, CUstream, void** params, void** extra) {
    if (gx == 0 || gy == 0 || gz == 0 || gy > 65535 || gz > 65535 || bx * by * bz == 0 || bx * by * bz > 1024
        || shmem != 0 || extra != nullptr || params == nullptr) {
        std::fprintf(stderr, "[fakecuda] %s: invalid launch grid (%u,%u,%u) block (%u,%u,%u)\n", f->name.c_str(), gx, gy,
                     gz, bx, by, bz);
        return INVALID_VALUE;
    }
    return f->launcher(dim3(gx, gy, gz), dim3(bx, by, bz), params);
}

CUresult cuEventCreate(CUevent* e, unsigned int) { *e = new CUevent_st(); return OK; }

CUresult cuEventRecord(CUevent e, CUstream) { e->at = std::chrono::steady_clock::now(); return OK; }

CUresult cuEventSynchronize(CUevent) { return OK; }

CUresult cuEventElapsedTime(float* ms, CUevent a, CUevent b) {
    *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
    return OK;
}

CUresult cuEventDestroy_v2(CUevent e) { delete e; return OK; }

CUresult cuGetErrorName(CUresult r, const char** s) { *s = r == OK ? "CUDA_SUCCESS" : "CUDA_ERROR (fakecuda)"; return OK; }

CUresult cuGetErrorString(CUresult r, const char** s) { return cuGetErrorName(r, s); }

}  // extern "C"
