package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA backend: JCuda driver API, kernels from {@code engine/src/main/cuda/*.cu} loaded as PTX.
 *
 * <p>The SPI works on host {@link Tensor}s, so every GPU operation copies its inputs to cached
 * device scratch buffers (grown on demand, never freed per call), launches, and copies its outputs
 * back; the copies are synchronous, so a call returns with its results on the host. Inside a
 * {@link CudaResidency} run ({@link #residency}) the same calls work on device copies of their
 * host arrays instead, kept across calls and runs, so that a whole step (a batched RNN step, a CNN
 * forward) costs one upload of what the host changed and one download of what the step keeps.
 * The GPU check also drives kernels on {@link DeviceTensor}s ({@link #deviceOps()}) to separate
 * kernel time from PCIe. Launch configurations live in {@link KernelLauncher}, the scratch buffers
 * in {@link ScratchSlots}.
 *
 * <p>Run on the GPU: {@code gemm} (rank 2 and batched rank 3, transposes, alpha, beta), {@code gemv}
 * (through the gemm kernel), {@code addBias}, {@code activate} and {@code activateBackward} (sigmoid,
 * tanh, ReLU, leaky ReLU), {@code softmax}, {@code logSoftmax}, {@code softmaxCrossEntropy},
 * {@code lstmForward}, {@code lstmBackward}, {@code gruForward}, {@code gruBackward}, {@code im2col},
 * {@code col2im}, {@code im2colBatch}, {@code convOutput} and {@code swapLeadingAxes} (ReLU or no
 * activation), {@code maxPool}, {@code maxPoolBackward}, {@code avgPool}.
 *
 * <p>Delegated to {@link CpuBackend}: {@code addChannelBias}, {@code sumRows}, {@code sumChannels},
 * {@code axpy}, {@code scale}, {@code add}, {@code mul}, {@code sum}, {@code sumOfSquares},
 * {@code argmaxRows}, {@code mse}, {@code crossEntropy}, {@code avgPoolBackward},
 * {@code gatherRows}, {@code scatterAddRows}, {@code sgdUpdate}, {@code adamUpdate},
 * {@code col2imBatch}, the identity activation, and every call whose shapes are invalid (so the
 * error is the CPU backend's, word for word) or empty (nothing to launch). In a resident run these
 * first bring what they read home and then mark what they wrote stale on the device.
 *
 * <p>Thread-safe: one lock (this backend's monitor, which {@link DeviceOps} shares) serialises the
 * calls (the scratch buffers are shared), and each call makes the device's primary context current
 * on the calling thread.
 */
public final class CudaBackend implements Backend {
    private static final Object INSTANCE_LOCK = new Object();
    private static CudaBackend instance;

    private final CudaContext ctx;
    private final CpuBackend cpu = CpuBackend.instance();
    private final KernelLauncher launcher;
    private final ScratchSlots scratch = new ScratchSlots();
    private final DeviceOps deviceOps;
    /** The residency whose run holds this backend's lock, or null: read only by the lock's holder. */
    private CudaResidency active;

    private CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
        this.launcher = new KernelLauncher(ctx);
        // this backend's monitor is the device API's lock too: one lock for every launch on the context
        this.deviceOps = new DeviceOps(ctx, launcher, this);
    }

    /** The backend of the process-wide device; throws {@link CudaUnavailableException} with the reason. */
    public static CudaBackend instance() {
        synchronized (INSTANCE_LOCK) {
            if (instance == null) {
                instance = new CudaBackend(CudaContext.get());
            }
            return instance;
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    public CudaContext context() {
        return ctx;
    }

    /** The device-resident API on this backend's context (chained launches without host copies). */
    public DeviceOps deviceOps() {
        return deviceOps;
    }

    @Override
    public CudaResidency residency(List<Tensor> constants) {
        return new CudaResidency(this, ctx, constants);
    }

    void enter(CudaResidency r) {
        active = r;
    }

    void exit(CudaResidency r) {
        active = null;
    }

    /** The residency of the run the calling thread is in, or null (then operands are copied per call). */
    private CudaResidency resident() {
        CudaResidency r = active;
        return r != null && Thread.holdsLock(this) ? r : null;
    }

    @Override
    public void toHost(Tensor t) {
        CudaResidency r = resident();
        if (r != null) {
            r.toHost(t);
        }
    }

    @Override
    public void hostWrote(Tensor t) {
        CudaResidency r = resident();
        if (r != null) {
            r.fromHost(t);
        }
    }

    // Operands: in a resident run, device copies kept across calls; else the scratch slots, copied per call.

    /** t on the device, current, for reading. */
    private CUdeviceptr in(int slot, Tensor t) {
        CudaResidency r = resident();
        return r != null ? r.read(t) : scratch.in(slot, t);
    }

    /** Room on the device for t, which the launch overwrites. */
    private CUdeviceptr outSlot(int slot, Tensor t) {
        CudaResidency r = resident();
        return r != null ? r.write(t) : scratch.slot(slot, t.size());
    }

    /** The launch wrote t at p: copied home now, or (resident) left on the device, marked written. */
    private void written(CUdeviceptr p, Tensor t) {
        CudaResidency r = resident();
        if (r != null) {
            r.wrote(t);
        } else {
            scratch.out(p, t);
        }
    }

    /** Before a CPU operation in a resident run: what it reads, current on the host. */
    private CudaResidency hostReads(Tensor a, Tensor b, Tensor c, Tensor d) {
        CudaResidency r = resident();
        if (r != null) {
            r.toHost(a);
            r.toHost(b);
            r.toHost(c);
            r.toHost(d);
        }
        return r;
    }

    private CudaResidency hostReads(Tensor a, Tensor b) {
        return hostReads(a, b, null, null);
    }

    /** After a CPU operation in a resident run: what it wrote, stale on the device. */
    private static void hostWrote(CudaResidency r, Tensor a, Tensor b, Tensor c) {
        if (r != null) {
            r.fromHost(a);
            r.fromHost(b);
            r.fromHost(c);
        }
    }

    private static void hostWrote(CudaResidency r, Tensor a) {
        hostWrote(r, a, null, null);
    }

    // ---- BLAS ----

    @Override
    public synchronized void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        GemmShape s = GemmShape.of(transA, transB, a.shape(), b.shape(), c.shape());
        if (s == null || !s.launchable()) {
            CudaResidency r = hostReads(a, b, c, null);
            cpu.gemm(transA, transB, alpha, a, b, beta, c);
            hostWrote(r, c);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr da = in(0, a);
        CUdeviceptr db = in(1, b);
        CUdeviceptr dc = beta == 0f ? outSlot(2, c) : in(2, c);
        launcher.gemm(s, transA, transB, alpha, da, db, beta, dc);
        written(dc, c);
    }

    @Override
    public synchronized void gemv(boolean transA, float alpha, Tensor a, Tensor x, float beta, Tensor y) {
        int rows = a.rank() == 2 ? a.dim(0) : 0;
        int cols = a.rank() == 2 ? a.dim(1) : 0;
        int in = transA ? rows : cols;
        int outLen = transA ? cols : rows;
        GemmShape s = new GemmShape(outLen, 1, in, 1, cols, 1, 1, 0, 0, 0);
        if (a.rank() != 2 || x.size() != in || y.size() != outLen || !s.launchable()) {
            CudaResidency r = hostReads(a, x, y, null);
            cpu.gemv(transA, alpha, a, x, beta, y);
            hostWrote(r, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr da = in(0, a);
        CUdeviceptr dx = in(1, x);
        CUdeviceptr dy = beta == 0f ? outSlot(2, y) : in(2, y);
        // y (out,1) = alpha * op(A) (out,in) x (in,1) + beta * y
        launcher.gemm(s, transA, false, alpha, da, dx, beta, dy);
        written(dy, y);
    }

    // ---- element-wise and reductions ----

    @Override
    public synchronized void addBias(Tensor x, Tensor bias) {
        int c = bias.size();
        if (x.cols() != c || x.size() == 0) {
            CudaResidency r = hostReads(x, bias);
            cpu.addBias(x, bias);
            hostWrote(r, x);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = in(0, x);
        CUdeviceptr db = in(1, bias);
        launcher.addBias(dx, db, x.rows(), c);
        written(dx, x);
    }

    @Override
    public void addChannelBias(Tensor x, Tensor bias) {
        CudaResidency r = hostReads(x, bias);
        cpu.addChannelBias(x, bias);
        hostWrote(r, x);
    }

    @Override
    public void sumRows(Tensor x, Tensor out, boolean accumulate) {
        CudaResidency r = hostReads(x, out);
        cpu.sumRows(x, out, accumulate);
        hostWrote(r, out);
    }

    @Override
    public void sumChannels(Tensor x, Tensor out, boolean accumulate) {
        CudaResidency r = hostReads(x, out);
        cpu.sumChannels(x, out, accumulate);
        hostWrote(r, out);
    }

    @Override
    public synchronized void activate(Activation f, Tensor x, Tensor y) {
        if (f.kind() == Activation.Kind.IDENTITY || y.size() != x.size() || x.size() == 0) {
            CudaResidency r = hostReads(x, y);
            cpu.activate(f, x, y);
            hostWrote(r, y);
            return;
        }
        ctx.makeCurrent();
        int n = x.size();
        CUdeviceptr dx = in(0, x);
        CUdeviceptr dy = outSlot(1, y);
        switch (f.kind()) {
            case SIGMOID -> launcher.launch1d(CudaKernel.SIGMOID_FORWARD, n, dx, dy, n);
            case TANH -> launcher.launch1d(CudaKernel.TANH_FORWARD, n, dx, dy, n);
            case RELU -> launcher.launch1d(CudaKernel.RELU_FORWARD, n, dx, dy, n);
            case LEAKY_RELU -> launcher.launch1d(CudaKernel.LEAKY_RELU_FORWARD, n, dx, dy, n, f.slope());
            default -> throw new AssertionError(f);
        }
        written(dy, y);
    }

    @Override
    public synchronized void activateBackward(Activation f, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        int n = gradY.size();
        if (f.kind() == Activation.Kind.IDENTITY || x.size() != n || y.size() != n || gradX.size() != n || n == 0) {
            CudaResidency r = hostReads(x, y, gradY, gradX);
            cpu.activateBackward(f, x, y, gradY, gradX);
            hostWrote(r, gradX);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dg = in(1, gradY);
        CUdeviceptr dv = f.kind() == Activation.Kind.SIGMOID || f.kind() == Activation.Kind.TANH ? in(0, y) : in(0, x);
        CUdeviceptr dout = outSlot(2, gradX);
        switch (f.kind()) {
            case SIGMOID -> launcher.launch1d(CudaKernel.SIGMOID_BACKWARD, n, dv, dg, dout, n);
            case TANH -> launcher.launch1d(CudaKernel.TANH_BACKWARD, n, dv, dg, dout, n);
            case RELU -> launcher.launch1d(CudaKernel.RELU_BACKWARD, n, dv, dg, dout, n);
            case LEAKY_RELU -> launcher.launch1d(CudaKernel.LEAKY_RELU_BACKWARD, n, dv, dg, dout, n, f.slope());
            default -> throw new AssertionError(f);
        }
        written(dout, gradX);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        CudaResidency r = hostReads(x, y);
        cpu.axpy(alpha, x, y);
        hostWrote(r, y);
    }

    @Override
    public void scale(Tensor x, float alpha) {
        CudaResidency r = hostReads(x, null);
        cpu.scale(x, alpha);
        hostWrote(r, x);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        CudaResidency r = hostReads(a, b, out, null);
        cpu.add(a, b, out);
        hostWrote(r, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        CudaResidency r = hostReads(a, b, out, null);
        cpu.mul(a, b, out);
        hostWrote(r, out);
    }

    @Override
    public float sum(Tensor x) {
        hostReads(x, null);
        return cpu.sum(x);
    }

    @Override
    public float sumOfSquares(Tensor x) {
        hostReads(x, null);
        return cpu.sumOfSquares(x);
    }

    @Override
    public void argmaxRows(Tensor x, int[] out) {
        hostReads(x, null);
        cpu.argmaxRows(x, out);
    }

    // ---- softmax and losses ----

    @Override
    public synchronized void softmax(Tensor x, Tensor y) {
        if (!x.sameShape(y) || x.size() == 0) {
            CudaResidency r = hostReads(x, y);
            cpu.softmax(x, y);
            hostWrote(r, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = in(0, x);
        CUdeviceptr dy = outSlot(1, y);
        launcher.launchRows(CudaKernel.SOFTMAX_FORWARD, x.rows(), dx, dy, x.rows(), x.cols());
        written(dy, y);
    }

    @Override
    public synchronized void logSoftmax(Tensor x, Tensor y) {
        if (!x.sameShape(y) || x.size() == 0) {
            CudaResidency r = hostReads(x, y);
            cpu.logSoftmax(x, y);
            hostWrote(r, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = in(0, x);
        CUdeviceptr dy = outSlot(1, y);
        launcher.launchRows(CudaKernel.LOG_SOFTMAX_FORWARD, x.rows(), dx, dy, x.rows(), x.cols());
        written(dy, y);
    }

    @Override
    public float mse(Tensor pred, Tensor target, Tensor grad) {
        CudaResidency r = hostReads(pred, target, grad, null);
        float loss = cpu.mse(pred, target, grad);
        hostWrote(r, grad);
        return loss;
    }

    @Override
    public synchronized float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor grad) {
        if (logits.rank() != 2 || logits.size() == 0 || labels.length < logits.rows()
                || (grad != null && !grad.sameShape(logits)) || !labelsInRange(labels, logits.rows(), logits.cols())) {
            CudaResidency r = hostReads(logits, grad);
            float loss = cpu.softmaxCrossEntropy(logits, labels, grad);
            hostWrote(r, grad);
            return loss;
        }
        ctx.makeCurrent();
        int n = logits.rows();
        int c = logits.cols();
        CUdeviceptr dx = in(0, logits);
        CUdeviceptr dl = scratch.inInts(1, labels, n);
        CUdeviceptr losses = scratch.slot(2, n);
        CUdeviceptr dg = grad == null ? losses : outSlot(3, grad);
        launcher.launchRows(CudaKernel.SOFTMAX_XENT_FORWARD_BACKWARD, n, dx, dl, losses, dg, n, c,
                grad == null ? 0 : 1);
        float[] rowLoss = new float[n];
        scratch.outFloats(losses, rowLoss, n);
        if (grad != null) {
            written(dg, grad);
        }
        double sum = 0;
        for (float v : rowLoss) {
            sum += v;
        }
        return (float) (sum / n);
    }

    @Override
    public float crossEntropy(Tensor probs, int[] labels, Tensor grad) {
        CudaResidency r = hostReads(probs, grad);
        float loss = cpu.crossEntropy(probs, labels, grad);
        hostWrote(r, grad);
        return loss;
    }

    private static boolean labelsInRange(int[] labels, int n, int c) {
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                return false;
            }
        }
        return true;
    }

    // ---- convolution helpers ----

    @Override
    public synchronized void im2col(Tensor image, ConvGeometry g, Tensor cols) {
        int colsSize = g.patchSize() * g.outH() * g.outW();
        if (image.size() != g.channels() * g.height() * g.width() || cols.size() != colsSize) {
            CudaResidency r = hostReads(image, cols);
            cpu.im2col(image, g, cols);
            hostWrote(r, cols);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr di = in(0, image);
        CUdeviceptr dc = outSlot(1, cols);
        launcher.launch1d(CudaKernel.IM2COL_FORWARD, colsSize, di, dc, g.channels(), g.height(), g.width(), g.kernelH(),
                g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        written(dc, cols);
    }

    @Override
    public synchronized void col2im(Tensor cols, ConvGeometry g, Tensor image) {
        int imageSize = g.channels() * g.height() * g.width();
        if (image.size() != imageSize || cols.size() != g.patchSize() * g.outH() * g.outW()) {
            CudaResidency r = hostReads(cols, image);
            cpu.col2im(cols, g, image);
            hostWrote(r, image);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dc = in(0, cols);
        CUdeviceptr di = in(1, image);
        launcher.launch1d(CudaKernel.COL2IM_BACKWARD, imageSize, dc, di, g.channels(), g.height(), g.width(),
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        written(di, image);
    }

    @Override
    public synchronized void im2colBatch(Tensor images, ConvGeometry g, Tensor cols) {
        int n = images.rank() == 4 ? images.dim(0) : -1;
        long colsSize = (long) g.patchSize() * Math.max(n, 0) * g.outH() * g.outW();
        if (n <= 0 || images.dim(1) != g.channels() || images.dim(2) != g.height() || images.dim(3) != g.width()
                || cols.size() != colsSize || colsSize > Integer.MAX_VALUE) {
            CudaResidency r = hostReads(images, cols);
            cpu.im2colBatch(images, g, cols);
            hostWrote(r, cols);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr di = in(0, images);
        CUdeviceptr dc = outSlot(1, cols);
        launcher.launch1d(CudaKernel.IM2COL_BATCH_FORWARD, (int) colsSize, di, dc, n, g.channels(), g.height(),
                g.width(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        written(dc, cols);
    }

    @Override
    public void col2imBatch(Tensor cols, ConvGeometry g, Tensor images) {
        CudaResidency r = hostReads(cols, images);
        cpu.col2imBatch(cols, g, images);
        hostWrote(r, images);
    }

    @Override
    public void swapLeadingAxes(Tensor x, Tensor out) {
        convOutput(x, null, null, null, out);
    }

    /** On the device for ReLU or no activation; the rest composes the separate operations. */
    @Override
    public synchronized void convOutput(Tensor x, Tensor shift, Tensor residual, Activation act, Tensor out) {
        boolean relu = act != null && act.kind() == Activation.Kind.RELU;
        boolean fits = x.rank() >= 2 && out.rank() == x.rank() && out.dim(0) == x.dim(1) && out.dim(1) == x.dim(0)
                && out.size() == x.size() && x.size() > 0 && (shift == null || shift.size() == x.dim(0))
                && (residual == null || residual.sameShape(out))
                && (act == null || relu || act.kind() == Activation.Kind.IDENTITY);
        if (!fits) {
            CudaResidency r = hostReads(x, shift, residual, out);
            if (act == null || relu || act.kind() == Activation.Kind.IDENTITY) {
                cpu.convOutput(x, shift, residual, act, out);
                hostWrote(r, out);
            } else {
                // sigmoid/tanh: the default composition, each step on whichever side runs it
                Backend.super.convOutput(x, shift, residual, act, out);
            }
            return;
        }
        ctx.makeCurrent();
        int f = x.dim(0);
        int n = x.dim(1);
        int s = x.size() / (f * n);
        CUdeviceptr dx = in(0, x);
        CUdeviceptr dout = outSlot(1, out);
        // absent operands get a live placeholder, never read (the flags say so)
        CUdeviceptr dshift = shift == null ? dout : in(2, shift);
        CUdeviceptr dres = residual == null ? dout : in(3, residual);
        launcher.launch1d(CudaKernel.CONV_OUTPUT_FORWARD, x.size(), dx, dshift, dres, dout, f, n, s,
                shift == null ? 0 : 1, residual == null ? 0 : 1, relu ? 1 : 0);
        written(dout, out);
    }

    @Override
    public synchronized void maxPool(Tensor in, PoolGeometry g, Tensor out, int[] argmax) {
        if (in.rank() != 4 || in.dim(2) < g.windowH() || in.dim(3) < g.windowW()
                || !Arrays.equals(out.shape(), new int[] {in.dim(0), in.dim(1), g.outH(in.dim(2)), g.outW(in.dim(3))})
                || (argmax != null && argmax.length < out.size()) || out.size() == 0) {
            CudaResidency r = hostReads(in, out);
            cpu.maxPool(in, g, out, argmax);
            hostWrote(r, out);
            return;
        }
        ctx.makeCurrent();
        int n = out.size();
        CUdeviceptr di = in(0, in);
        CUdeviceptr dout = outSlot(1, out);
        CUdeviceptr darg = scratch.slot(2, n);
        launcher.launch1d(CudaKernel.MAXPOOL_FORWARD, n, di, dout, darg, in.dim(0) * in.dim(1), in.dim(2), in.dim(3),
                g.windowH(), g.windowW(), g.strideH(), g.strideW(), out.dim(2), out.dim(3));
        written(dout, out);
        if (argmax != null) {
            scratch.outInts(darg, argmax, n);
        }
    }

    @Override
    public synchronized void maxPoolBackward(Tensor gradOut, int[] argmax, Tensor gradIn) {
        int n = gradOut.size();
        if (n == 0 || argmax.length < n || !indicesInRange(argmax, n, gradIn.size())) {
            CudaResidency r = hostReads(gradOut, gradIn);
            cpu.maxPoolBackward(gradOut, argmax, gradIn);
            hostWrote(r, gradIn);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dgo = in(0, gradOut);
        CUdeviceptr darg = scratch.inInts(1, argmax, n);
        CUdeviceptr dgi = in(2, gradIn);
        launcher.launch1d(CudaKernel.MAXPOOL_BACKWARD, n, dgo, darg, dgi, n);
        written(dgi, gradIn);
    }

    private static boolean indicesInRange(int[] idx, int n, int size) {
        for (int i = 0; i < n; i++) {
            if (idx[i] < 0 || idx[i] >= size) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void avgPool(Tensor in, PoolGeometry g, Tensor out) {
        if (in.rank() != 4 || in.dim(2) < g.windowH() || in.dim(3) < g.windowW()
                || !Arrays.equals(out.shape(), new int[] {in.dim(0), in.dim(1), g.outH(in.dim(2)), g.outW(in.dim(3))})
                || out.size() == 0) {
            CudaResidency r = hostReads(in, null);
            cpu.avgPool(in, g, out);
            hostWrote(r, out);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr di = in(0, in);
        CUdeviceptr dout = outSlot(1, out);
        launcher.launch1d(CudaKernel.AVGPOOL_FORWARD, out.size(), di, dout, in.dim(0) * in.dim(1), in.dim(2), in.dim(3),
                g.windowH(), g.windowW(), g.strideH(), g.strideW(), out.dim(2), out.dim(3));
        written(dout, out);
    }

    @Override
    public void avgPoolBackward(Tensor gradOut, PoolGeometry g, Tensor gradIn) {
        CudaResidency r = hostReads(gradOut, gradIn);
        cpu.avgPoolBackward(gradOut, g, gradIn);
        hostWrote(r, gradIn);
    }

    // ---- fused recurrent cell math ----

    @Override
    public synchronized void lstmForward(Tensor gates, Tensor cPrev, Tensor cOut, Tensor hOut, Tensor tanhC) {
        int h = hidden(gates, 4, cPrev, cOut, hOut, tanhC);
        if (h <= 0 || gates.rows() == 0) {
            CudaResidency r = hostReads(gates, cPrev);
            cpu.lstmForward(gates, cPrev, cOut, hOut, tanhC);
            hostWrote(r, gates, cOut, hOut);
            hostWrote(r, tanhC);
            return;
        }
        ctx.makeCurrent();
        int b = gates.rows();
        CUdeviceptr dg = in(0, gates);
        CUdeviceptr dcp = in(1, cPrev);
        CUdeviceptr dco = outSlot(2, cOut);
        CUdeviceptr dho = outSlot(3, hOut);
        CUdeviceptr dtc = tanhC == null ? null : outSlot(4, tanhC);
        launcher.lstmForward(dg, dcp, dco, dho, dtc, b, h);
        written(dg, gates);
        written(dco, cOut);
        written(dho, hOut);
        if (tanhC != null) {
            written(dtc, tanhC);
        }
    }

    @Override
    public synchronized void lstmBackward(Tensor acts, Tensor cPrev, Tensor tanhC, Tensor dh, Tensor dc, Tensor dGates) {
        int h = hidden(acts, 4, cPrev, tanhC, dh, dc);
        if (h <= 0 || tanhC == null || dh == null || dc == null || cPrev == null || !acts.sameShape(dGates)
                || acts.rows() == 0) {
            CudaResidency r = hostReads(acts, cPrev, tanhC, dh);
            hostReads(dc, null);
            cpu.lstmBackward(acts, cPrev, tanhC, dh, dc, dGates);
            hostWrote(r, dc, dGates, null);
            return;
        }
        ctx.makeCurrent();
        int b = acts.rows();
        CUdeviceptr da = in(0, acts);
        CUdeviceptr dcp = in(1, cPrev);
        CUdeviceptr dtc = in(2, tanhC);
        CUdeviceptr ddh = in(3, dh);
        CUdeviceptr ddc = in(4, dc);
        CUdeviceptr ddg = outSlot(5, dGates);
        launcher.launch1d(CudaKernel.LSTM_BACKWARD, b * h, da, dcp, dtc, ddh, ddc, ddg, b, h);
        written(ddc, dc);
        written(ddg, dGates);
    }

    @Override
    public synchronized void gruForward(Tensor gx, Tensor gh, Tensor hPrev, Tensor hOut) {
        int h = hidden(gx, 3, hPrev, hOut);
        if (h <= 0 || hPrev == null || hOut == null || !gx.sameShape(gh) || gx.rows() == 0) {
            CudaResidency r = hostReads(gx, gh, hPrev, null);
            cpu.gruForward(gx, gh, hPrev, hOut);
            hostWrote(r, gx, hOut, null);
            return;
        }
        ctx.makeCurrent();
        int b = gx.rows();
        CUdeviceptr dgx = in(0, gx);
        CUdeviceptr dgh = in(1, gh);
        CUdeviceptr dhp = in(2, hPrev);
        CUdeviceptr dho = outSlot(3, hOut);
        launcher.gruForward(dgx, dgh, dhp, dho, b, h);
        written(dgx, gx);
        written(dho, hOut);
    }

    @Override
    public synchronized void gruBackward(Tensor acts, Tensor gh, Tensor hPrev, Tensor dhOut, Tensor dgx, Tensor dgh,
                                         Tensor dhDirect) {
        int h = hidden(acts, 3, hPrev, dhOut, dhDirect);
        if (h <= 0 || hPrev == null || dhOut == null || dhDirect == null || !acts.sameShape(gh)
                || !acts.sameShape(dgx) || !acts.sameShape(dgh) || acts.rows() == 0) {
            CudaResidency r = hostReads(acts, gh, hPrev, dhOut);
            cpu.gruBackward(acts, gh, hPrev, dhOut, dgx, dgh, dhDirect);
            hostWrote(r, dgx, dgh, dhDirect);
            return;
        }
        ctx.makeCurrent();
        int b = acts.rows();
        CUdeviceptr da = in(0, acts);
        CUdeviceptr dgh2 = in(1, gh);
        CUdeviceptr dhp = in(2, hPrev);
        CUdeviceptr ddh = in(3, dhOut);
        CUdeviceptr ddgx = outSlot(4, dgx);
        CUdeviceptr ddgh = outSlot(5, dgh);
        CUdeviceptr ddd = outSlot(6, dhDirect);
        launcher.launch1d(CudaKernel.GRU_BACKWARD, b * h, da, dgh2, dhp, ddh, ddgx, ddgh, ddd, b, h);
        written(ddgx, dgx);
        written(ddgh, dgh);
        written(ddd, dhDirect);
    }

    /**
     * H when {@code gates} is (B, G*H) with H > 0 and every non-null state (B, H), else -1 (the CPU
     * backend then reports the error).
     */
    private static int hidden(Tensor gates, int g, Tensor... states) {
        if (gates.rank() != 2 || gates.cols() % g != 0 || gates.cols() == 0) {
            return -1;
        }
        int h = gates.cols() / g;
        for (Tensor s : states) {
            if (s != null && (s.rank() != 2 || s.dim(0) != gates.dim(0) || s.dim(1) != h)) {
                return -1;
            }
        }
        return h;
    }

    // ---- embeddings and optimizers: CPU ----

    @Override
    public void gatherRows(Tensor table, int[] ids, int count, Tensor out) {
        CudaResidency r = hostReads(table, null);
        cpu.gatherRows(table, ids, count, out);
        hostWrote(r, out);
    }

    @Override
    public void scatterAddRows(Tensor grad, int[] ids, int count, Tensor gradTable) {
        CudaResidency r = hostReads(grad, gradTable);
        cpu.scatterAddRows(grad, ids, count, gradTable);
        hostWrote(r, gradTable);
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor velocity, float lr, float momentum,
                                       float weightDecay) {
        CudaResidency r = hostReads(param, grad, velocity, null);
        cpu.sgdUpdate(param, grad, velocity, lr, momentum, weightDecay);
        hostWrote(r, param, velocity, null);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1,
                                        float beta2, float epsilon, int t, float weightDecay) {
        CudaResidency r = hostReads(param, grad, m, v);
        cpu.adamUpdate(param, grad, m, v, lr, beta1, beta2, epsilon, t, weightDecay);
        hostWrote(r, param, m, v);
    }
}
