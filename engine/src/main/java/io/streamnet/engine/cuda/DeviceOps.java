package io.streamnet.engine.cuda;

import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

/**
 * The device-resident API: {@link CudaBackend}'s kernels on {@link DeviceTensor}s, launched without
 * host copies and asynchronously, so that chains of launches (a recurrent step, repeated gemms) can
 * be timed apart from the PCIe copies that every host-tensor call makes; the GPU check uses it.
 * There is no CPU fallback here: shapes that do not fit throw {@link ShapeMismatchException}.
 *
 * <p>Obtained from {@link CudaBackend#deviceOps()}. Thread-safe: every call holds the backend's lock,
 * like its host-tensor calls, so no other call's launches fall between the events of
 * {@link #elapsedMillis}.
 */
public final class DeviceOps {
    private final CudaContext ctx;
    private final KernelLauncher launcher;
    private final Object lock;

    DeviceOps(CudaContext ctx, KernelLauncher launcher, Object lock) {
        this.ctx = ctx;
        this.launcher = launcher;
        this.lock = lock;
    }

    /** A new zero-filled device tensor; the caller closes it. */
    public DeviceTensor allocateDevice(int... shape) {
        synchronized (lock) {
            ctx.makeCurrent();
            DeviceTensor t = new DeviceTensor(new CUdeviceptr(), shape, true);
            JCudaDriver.cuMemAlloc(t.pointer(), Math.max(4L * t.size(), 4L));
            JCudaDriver.cuMemsetD32(t.pointer(), 0, Math.max(t.size(), 1));
            return t;
        }
    }

    /** A new device tensor holding a copy of {@code t}; the caller closes it. */
    public DeviceTensor upload(Tensor t) {
        synchronized (lock) {
            DeviceTensor d = allocateDevice(t.shape());
            upload(t, d);
            return d;
        }
    }

    public void upload(Tensor src, DeviceTensor dst) {
        synchronized (lock) {
            requireSize("upload", dst, src.size());
            ctx.makeCurrent();
            if (src.size() > 0) {
                JCudaDriver.cuMemcpyHtoD(dst.pointer(), ScratchSlots.hostPointer(src), 4L * src.size());
            }
        }
    }

    public void download(DeviceTensor src, Tensor dst) {
        synchronized (lock) {
            requireSize("download", src, dst.size());
            ctx.makeCurrent();
            if (dst.size() > 0) {
                JCudaDriver.cuMemcpyDtoH(ScratchSlots.hostPointer(dst), src.pointer(), 4L * dst.size());
            }
        }
    }

    /** {@link CudaBackend#gemm} on device tensors: asynchronous, no host copies. */
    public void gemmDevice(boolean transA, boolean transB, float alpha, DeviceTensor a, DeviceTensor b, float beta,
                           DeviceTensor c) {
        synchronized (lock) {
            GemmShape s = GemmShape.of(transA, transB, a.shape(), b.shape(), c.shape());
            if (s == null) {
                throw new ShapeMismatchException("gemmDevice" + (transA ? " A^T" : "") + (transB ? " B^T" : "")
                        + ": shapes " + a.shapeString() + " " + b.shapeString() + " " + c.shapeString()
                        + " do not fit");
            }
            if (s.m() == 0 || s.n() == 0 || s.batch() == 0) {
                return;
            }
            if (!s.launchable()) {
                throw new ShapeMismatchException("gemmDevice: " + s + " is outside the kernel's grid limits");
            }
            ctx.makeCurrent();
            launcher.gemm(s, transA, transB, alpha, a.pointer(), b.pointer(), beta, c.pointer());
        }
    }

    /** {@link CudaBackend#addBias} on device tensors: x (N,C) += bias (C). */
    public void addBiasDevice(DeviceTensor x, DeviceTensor bias) {
        synchronized (lock) {
            if (x.cols() != bias.size()) {
                throw new ShapeMismatchException("addBiasDevice: bias " + bias.shapeString() + " for x "
                        + x.shapeString());
            }
            ctx.makeCurrent();
            launcher.addBias(x.pointer(), bias.pointer(), x.rows(), bias.size());
        }
    }

    /** {@link CudaBackend#lstmForward} on device tensors; tanhC may be null. */
    public void lstmForwardDevice(DeviceTensor gates, DeviceTensor cPrev, DeviceTensor cOut, DeviceTensor hOut,
                                  DeviceTensor tanhC) {
        synchronized (lock) {
            int h = hiddenDevice("lstmForwardDevice", gates, 4, cPrev, cOut, hOut, tanhC);
            ctx.makeCurrent();
            launcher.lstmForward(gates.pointer(), cPrev.pointer(), cOut.pointer(), hOut.pointer(),
                    tanhC == null ? null : tanhC.pointer(), gates.rows(), h);
        }
    }

    /** {@link CudaBackend#gruForward} on device tensors. */
    public void gruForwardDevice(DeviceTensor gx, DeviceTensor gh, DeviceTensor hPrev, DeviceTensor hOut) {
        synchronized (lock) {
            int h = hiddenDevice("gruForwardDevice", gx, 3, hPrev, hOut);
            if (!Arrays.equals(gx.shape(), gh.shape())) {
                throw new ShapeMismatchException("gruForwardDevice: gh " + gh.shapeString() + " differs from gx "
                        + gx.shapeString());
            }
            ctx.makeCurrent();
            launcher.gruForward(gx.pointer(), gh.pointer(), hPrev.pointer(), hOut.pointer(), gx.rows(), h);
        }
    }

    /** Waits for every launch so far. */
    public void synchronize() {
        synchronized (lock) {
            ctx.makeCurrent();
            JCudaDriver.cuCtxSynchronize();
        }
    }

    /** Runs {@code work} between two CUDA events and returns the device time between them, in ms. */
    public float elapsedMillis(Runnable work) {
        synchronized (lock) {
            ctx.makeCurrent();
            CUevent start = new CUevent();
            CUevent stop = new CUevent();
            JCudaDriver.cuEventCreate(start, 0);
            JCudaDriver.cuEventCreate(stop, 0);
            try {
                JCudaDriver.cuEventRecord(start, null);
                work.run();
                JCudaDriver.cuEventRecord(stop, null);
                JCudaDriver.cuEventSynchronize(stop);
                float[] ms = new float[1];
                JCudaDriver.cuEventElapsedTime(ms, start, stop);
                return ms[0];
            } finally {
                JCudaDriver.cuEventDestroy(start);
                JCudaDriver.cuEventDestroy(stop);
            }
        }
    }

    private static int hiddenDevice(String op, DeviceTensor gates, int g, DeviceTensor... states) {
        if (gates.rank() != 2 || gates.cols() % g != 0 || gates.cols() == 0) {
            throw new ShapeMismatchException(op + ": gates " + gates.shapeString() + " are not (B, " + g + "*H)");
        }
        int h = gates.cols() / g;
        for (DeviceTensor s : states) {
            if (s != null && (s.rank() != 2 || s.dim(0) != gates.dim(0) || s.dim(1) != h)) {
                throw new ShapeMismatchException(op + ": state " + s.shapeString() + " is not [" + gates.dim(0) + ", "
                        + h + "]");
            }
        }
        return h;
    }

    private static void requireSize(String op, DeviceTensor d, int size) {
        if (d.size() != size) {
            throw new ShapeMismatchException(op + ": device tensor " + d.shapeString() + " holds " + d.size()
                    + " elements, the host tensor " + size);
        }
    }
}
