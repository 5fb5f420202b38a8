package io.streamnet.engine.cuda;

import java.util.Arrays;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * A dense float32 (or int32, for indices) row-major array in device memory with a shape: the
 * device-resident counterpart of {@link io.streamnet.engine.tensor.Tensor}, used to time kernels
 * without host copies and to chain several launches. Obtained from {@link DeviceOps}; an owned
 * tensor frees its memory on {@link #close()}, a view (of a scratch buffer) does not.
 */
public final class DeviceTensor implements AutoCloseable {
    private final CUdeviceptr ptr;
    private final int[] shape;
    private final int size;
    private final boolean owned;
    private boolean closed;

    DeviceTensor(CUdeviceptr ptr, int[] shape, boolean owned) {
        this.ptr = ptr;
        this.shape = shape.clone();
        int n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        this.size = n;
        this.owned = owned;
    }

    CUdeviceptr pointer() {
        if (closed) {
            throw new IllegalStateException("device tensor " + shapeString() + " was closed");
        }
        return ptr;
    }

    public int size() {
        return size;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Rows: the first dimension (1 for a scalar). */
    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Columns: every dimension after the first, flattened. */
    public int cols() {
        return shape.length == 0 || shape[0] == 0 ? 0 : size / shape[0];
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owned) {
                CudaContext.get().makeCurrent();
                JCudaDriver.cuMemFree(ptr);
            }
        }
    }

    @Override
    public String toString() {
        return "DeviceTensor" + shapeString() + (owned ? "" : " (view)");
    }
}
