package io.streamnet.engine.cuda;

import io.streamnet.engine.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * The device buffers behind {@link CudaBackend}'s host-tensor calls, and the synchronous copies
 * into and out of them. A call uses numbered slots; each grows (doubling) when a call needs more
 * room and is never freed per call, so repeated calls of one size allocate nothing. Not
 * synchronised: every call shares the slots, so the backend's lock serialises their users.
 */
final class ScratchSlots {
    /** Enough for the call with the most operands (gruBackward: 7). */
    private static final int SLOTS = 8;

    private final CUdeviceptr[] slots = new CUdeviceptr[SLOTS];
    private final long[] slotBytes = new long[SLOTS];

    /** Scratch slot {@code i} with room for {@code floats} 4-byte elements, grown (doubling) when needed. */
    CUdeviceptr slot(int i, long floats) {
        long bytes = Math.max(4L * floats, 256L);
        if (slotBytes[i] < bytes) {
            if (slots[i] != null) {
                JCudaDriver.cuMemFree(slots[i]);
                slots[i] = null;
                slotBytes[i] = 0;
            }
            long cap = Math.max(bytes, 2 * slotBytes[i]);
            cap = (cap + 255) & ~255L;
            CUdeviceptr p = new CUdeviceptr();
            JCudaDriver.cuMemAlloc(p, cap);
            slots[i] = p;
            slotBytes[i] = cap;
        }
        return slots[i];
    }

    /** Slot {@code i} holding a copy of {@code t}. */
    CUdeviceptr in(int i, Tensor t) {
        CUdeviceptr p = slot(i, t.size());
        if (t.size() > 0) {
            JCudaDriver.cuMemcpyHtoD(p, hostPointer(t), 4L * t.size());
        }
        return p;
    }

    /** Slot {@code i} holding the first {@code n} of {@code values}. */
    CUdeviceptr inInts(int i, int[] values, int n) {
        CUdeviceptr p = slot(i, n);
        if (n > 0) {
            JCudaDriver.cuMemcpyHtoD(p, Pointer.to(values), 4L * n);
        }
        return p;
    }

    /** Copies {@code t.size()} elements from {@code p} into {@code t}. */
    void out(CUdeviceptr p, Tensor t) {
        if (t.size() > 0) {
            JCudaDriver.cuMemcpyDtoH(hostPointer(t), p, 4L * t.size());
        }
    }

    /** Copies {@code n} floats from {@code p} into {@code values}. */
    void outFloats(CUdeviceptr p, float[] values, int n) {
        if (n > 0) {
            JCudaDriver.cuMemcpyDtoH(Pointer.to(values), p, 4L * n);
        }
    }

    /** Copies {@code n} ints from {@code p} into {@code values}. */
    void outInts(CUdeviceptr p, int[] values, int n) {
        if (n > 0) {
            JCudaDriver.cuMemcpyDtoH(Pointer.to(values), p, 4L * n);
        }
    }

    /**
     * Where {@code t}'s elements start in host memory (a view starts at its offset); {@link DeviceOps}'s
     * upload and download copy through it too.
     */
    static Pointer hostPointer(Tensor t) {
        return Pointer.to(t.data()).withByteOffset(4L * t.offset());
    }
}
