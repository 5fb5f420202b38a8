package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend: JCuda driver API, kernels from {@code engine/src/main/cuda/*.cu} loaded as PTX.
 *
 * <p>The SPI works on host {@link Tensor}s, so every GPU operation copies its inputs to cached
 * device scratch buffers (grown on demand, never freed per call), launches, and copies its outputs
 * back; the copies are synchronous, so a call returns with its results on the host. This pays off
 * for large gemms and batched recurrent steps; chains of launches without host copies go through
 * the device-resident methods ({@link #gemmDevice}, {@link #lstmForwardDevice}, ... on
 * {@link DeviceTensor}s), which the GPU check and benchmarks use to separate kernel time from PCIe.
 *
 * <p>Run on the GPU: {@code gemm} (rank 2 and batched rank 3, transposes, alpha, beta), {@code gemv}
 * (through the gemm kernel), {@code addBias}, {@code activate} and {@code activateBackward} (sigmoid,
 * tanh, ReLU, leaky ReLU), {@code softmax}, {@code logSoftmax}, {@code softmaxCrossEntropy},
 * {@code lstmForward}, {@code lstmBackward}, {@code gruForward}, {@code gruBackward}, {@code im2col},
 * {@code col2im}, {@code maxPool}, {@code maxPoolBackward}.
 *
 * <p>Delegated to {@link CpuBackend}: {@code addChannelBias}, {@code sumRows}, {@code sumChannels},
 * {@code axpy}, {@code scale}, {@code add}, {@code mul}, {@code sum}, {@code sumOfSquares},
 * {@code argmaxRows}, {@code mse}, {@code crossEntropy}, {@code avgPool}, {@code avgPoolBackward},
 * {@code gatherRows}, {@code scatterAddRows}, {@code sgdUpdate}, {@code adamUpdate}, {@code im2colBatch},
 * {@code col2imBatch}, {@code swapLeadingAxes}, the identity
 * activation, and every call whose shapes are invalid (so the error is the CPU backend's, word for
 * word) or empty (nothing to launch).
 *
 * <p>Thread-safe: one lock serialises the calls (the scratch buffers are shared), and each call makes
 * the device's primary context current on the calling thread.
 */
public final class CudaBackend implements Backend {
    private static final int BLOCK = 256;
    /** 1-D launches use at most this many blocks and loop (grid-stride) over the rest. */
    private static final int MAX_BLOCKS = 65535;
    private static final int GEMM_TILE = 128;
    private static final int GEMM_THREADS = 256;
    private static final int MAX_GRID_YZ = 65535;
    private static final int SOFTMAX_THREADS = 128;
    private static final int SOFTMAX_ROWS_PER_BLOCK = SOFTMAX_THREADS / 32;
    private static final int SLOTS = 8;

    private static final Object INSTANCE_LOCK = new Object();
    private static CudaBackend instance;

    private final CudaContext ctx;
    private final CpuBackend cpu = CpuBackend.instance();
    private final CUdeviceptr[] slots = new CUdeviceptr[SLOTS];
    private final long[] slotBytes = new long[SLOTS];

    private CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
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

    // ---- BLAS ----

    @Override
    public synchronized void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        GemmShape s = GemmShape.of(transA, transB, a.shape(), b.shape(), c.shape());
        if (s == null || !s.launchable()) {
            cpu.gemm(transA, transB, alpha, a, b, beta, c);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr da = in(0, a);
        CUdeviceptr db = in(1, b);
        CUdeviceptr dc = beta == 0f ? slot(2, c.size()) : in(2, c);
        launchGemm(s, transA, transB, alpha, da, db, beta, dc);
        out(dc, c);
    }

    @Override
    public synchronized void gemv(boolean transA, float alpha, Tensor a, Tensor x, float beta, Tensor y) {
        if (a.rank() != 2) {
            cpu.gemv(transA, alpha, a, x, beta, y);
            return;
        }
        int rows = a.dim(0);
        int cols = a.dim(1);
        int in = transA ? rows : cols;
        int outLen = transA ? cols : rows;
        GemmShape s = new GemmShape(outLen, 1, in, 1, cols, 1, 1, 0, 0, 0);
        if (x.size() != in || y.size() != outLen || !s.launchable()) {
            cpu.gemv(transA, alpha, a, x, beta, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr da = in(0, a);
        CUdeviceptr dx = in(1, x);
        CUdeviceptr dy = beta == 0f ? slot(2, y.size()) : in(2, y);
        // y (out,1) = alpha * op(A) (out,in) x (in,1) + beta * y
        launchGemm(s, transA, false, alpha, da, dx, beta, dy);
        out(dy, y);
    }

    // ---- element-wise and reductions ----

    @Override
    public synchronized void addBias(Tensor x, Tensor bias) {
        int c = bias.size();
        if (x.cols() != c || x.size() == 0) {
            cpu.addBias(x, bias);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = in(0, x);
        CUdeviceptr db = in(1, bias);
        launchAddBias(dx, db, x.rows(), c);
        out(dx, x);
    }

    @Override
    public void addChannelBias(Tensor x, Tensor bias) {
        cpu.addChannelBias(x, bias);
    }

    @Override
    public void sumRows(Tensor x, Tensor out, boolean accumulate) {
        cpu.sumRows(x, out, accumulate);
    }

    @Override
    public void sumChannels(Tensor x, Tensor out, boolean accumulate) {
        cpu.sumChannels(x, out, accumulate);
    }

    @Override
    public synchronized void activate(Activation f, Tensor x, Tensor y) {
        if (f.kind() == Activation.Kind.IDENTITY || y.size() != x.size() || x.size() == 0) {
            cpu.activate(f, x, y);
            return;
        }
        ctx.makeCurrent();
        int n = x.size();
        CUdeviceptr dx = in(0, x);
        switch (f.kind()) {
            case SIGMOID -> launch1d(CudaKernel.SIGMOID_FORWARD, n, dx, dx, n);
            case TANH -> launch1d(CudaKernel.TANH_FORWARD, n, dx, dx, n);
            case RELU -> launch1d(CudaKernel.RELU_FORWARD, n, dx, dx, n);
            case LEAKY_RELU -> launch1d(CudaKernel.LEAKY_RELU_FORWARD, n, dx, dx, n, f.slope());
            default -> throw new AssertionError(f);
        }
        out(dx, y);
    }

    @Override
    public synchronized void activateBackward(Activation f, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        int n = gradY.size();
        if (f.kind() == Activation.Kind.IDENTITY || x.size() != n || y.size() != n || gradX.size() != n || n == 0) {
            cpu.activateBackward(f, x, y, gradY, gradX);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dg = in(1, gradY);
        switch (f.kind()) {
            case SIGMOID -> launch1d(CudaKernel.SIGMOID_BACKWARD, n, in(0, y), dg, dg, n);
            case TANH -> launch1d(CudaKernel.TANH_BACKWARD, n, in(0, y), dg, dg, n);
            case RELU -> launch1d(CudaKernel.RELU_BACKWARD, n, in(0, x), dg, dg, n);
            case LEAKY_RELU -> launch1d(CudaKernel.LEAKY_RELU_BACKWARD, n, in(0, x), dg, dg, n, f.slope());
            default -> throw new AssertionError(f);
        }
        out(dg, gradX);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        cpu.axpy(alpha, x, y);
    }

    @Override
    public void scale(Tensor x, float alpha) {
        cpu.scale(x, alpha);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        cpu.add(a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        cpu.mul(a, b, out);
    }

    @Override
    public float sum(Tensor x) {
        return cpu.sum(x);
    }

    @Override
    public float sumOfSquares(Tensor x) {
        return cpu.sumOfSquares(x);
    }

    @Override
    public void argmaxRows(Tensor x, int[] out) {
        cpu.argmaxRows(x, out);
    }

    // ---- softmax and losses ----

    @Override
    public synchronized void softmax(Tensor x, Tensor y) {
        if (!x.sameShape(y) || x.size() == 0) {
            cpu.softmax(x, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = in(0, x);
        launchRows(CudaKernel.SOFTMAX_FORWARD, x.rows(), dx, dx, x.rows(), x.cols());
        out(dx, y);
    }

    @Override
    public synchronized void logSoftmax(Tensor x, Tensor y) {
        if (!x.sameShape(y) || x.size() == 0) {
            cpu.logSoftmax(x, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = in(0, x);
        launchRows(CudaKernel.LOG_SOFTMAX_FORWARD, x.rows(), dx, dx, x.rows(), x.cols());
        out(dx, y);
    }

    @Override
    public float mse(Tensor pred, Tensor target, Tensor grad) {
        return cpu.mse(pred, target, grad);
    }

    @Override
    public synchronized float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor grad) {
        if (logits.rank() != 2 || logits.size() == 0 || labels.length < logits.rows()
                || (grad != null && !grad.sameShape(logits)) || !labelsInRange(labels, logits.rows(), logits.cols())) {
            return cpu.softmaxCrossEntropy(logits, labels, grad);
        }
        ctx.makeCurrent();
        int n = logits.rows();
        int c = logits.cols();
        CUdeviceptr dx = in(0, logits);
        CUdeviceptr dl = inInts(1, labels, n);
        CUdeviceptr losses = slot(2, n);
        CUdeviceptr dg = grad == null ? losses : slot(3, grad.size());
        launchRows(CudaKernel.SOFTMAX_XENT_FORWARD_BACKWARD, n, dx, dl, losses, dg, n, c, grad == null ? 0 : 1);
        float[] rowLoss = new float[n];
        JCudaDriver.cuMemcpyDtoH(Pointer.to(rowLoss), losses, 4L * n);
        if (grad != null) {
            out(dg, grad);
        }
        double sum = 0;
        for (float v : rowLoss) {
            sum += v;
        }
        return (float) (sum / n);
    }

    @Override
    public float crossEntropy(Tensor probs, int[] labels, Tensor grad) {
        return cpu.crossEntropy(probs, labels, grad);
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
            cpu.im2col(image, g, cols);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr di = in(0, image);
        CUdeviceptr dc = slot(1, colsSize);
        launch1d(CudaKernel.IM2COL_FORWARD, colsSize, di, dc, g.channels(), g.height(), g.width(), g.kernelH(),
                g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        out(dc, cols);
    }

    @Override
    public synchronized void col2im(Tensor cols, ConvGeometry g, Tensor image) {
        int imageSize = g.channels() * g.height() * g.width();
        if (image.size() != imageSize || cols.size() != g.patchSize() * g.outH() * g.outW()) {
            cpu.col2im(cols, g, image);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dc = in(0, cols);
        CUdeviceptr di = in(1, image);
        launch1d(CudaKernel.COL2IM_BACKWARD, imageSize, dc, di, g.channels(), g.height(), g.width(), g.kernelH(),
                g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        out(di, image);
    }

    @Override
    public void im2colBatch(Tensor images, ConvGeometry g, Tensor cols) {
        cpu.im2colBatch(images, g, cols);
    }

    @Override
    public void col2imBatch(Tensor cols, ConvGeometry g, Tensor images) {
        cpu.col2imBatch(cols, g, images);
    }

    @Override
    public void swapLeadingAxes(Tensor x, Tensor out) {
        cpu.swapLeadingAxes(x, out);
    }

    @Override
    public synchronized void maxPool(Tensor in, PoolGeometry g, Tensor out, int[] argmax) {
        if (in.rank() != 4 || in.dim(2) < g.windowH() || in.dim(3) < g.windowW()
                || !Arrays.equals(out.shape(), new int[] {in.dim(0), in.dim(1), g.outH(in.dim(2)), g.outW(in.dim(3))})
                || argmax.length < out.size() || out.size() == 0) {
            cpu.maxPool(in, g, out, argmax);
            return;
        }
        ctx.makeCurrent();
        int n = out.size();
        CUdeviceptr di = in(0, in);
        CUdeviceptr dout = slot(1, n);
        CUdeviceptr darg = slot(2, n);
        launch1d(CudaKernel.MAXPOOL_FORWARD, n, di, dout, darg, in.dim(0) * in.dim(1), in.dim(2), in.dim(3),
                g.windowH(), g.windowW(), g.strideH(), g.strideW(), out.dim(2), out.dim(3));
        out(dout, out);
        JCudaDriver.cuMemcpyDtoH(Pointer.to(argmax), darg, 4L * n);
    }

    @Override
    public synchronized void maxPoolBackward(Tensor gradOut, int[] argmax, Tensor gradIn) {
        int n = gradOut.size();
        if (n == 0 || argmax.length < n || !indicesInRange(argmax, n, gradIn.size())) {
            cpu.maxPoolBackward(gradOut, argmax, gradIn);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dgo = in(0, gradOut);
        CUdeviceptr darg = inInts(1, argmax, n);
        CUdeviceptr dgi = in(2, gradIn);
        launch1d(CudaKernel.MAXPOOL_BACKWARD, n, dgo, darg, dgi, n);
        out(dgi, gradIn);
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
    public void avgPool(Tensor in, PoolGeometry g, Tensor out) {
        cpu.avgPool(in, g, out);
    }

    @Override
    public void avgPoolBackward(Tensor gradOut, PoolGeometry g, Tensor gradIn) {
        cpu.avgPoolBackward(gradOut, g, gradIn);
    }

    // ---- fused recurrent cell math ----

    @Override
    public synchronized void lstmForward(Tensor gates, Tensor cPrev, Tensor cOut, Tensor hOut, Tensor tanhC) {
        int h = hidden(gates, 4, cPrev, cOut, hOut, tanhC);
        if (h <= 0 || gates.rows() == 0) {
            cpu.lstmForward(gates, cPrev, cOut, hOut, tanhC);
            return;
        }
        ctx.makeCurrent();
        int b = gates.rows();
        CUdeviceptr dg = in(0, gates);
        CUdeviceptr dcp = in(1, cPrev);
        CUdeviceptr dco = slot(2, cOut.size());
        CUdeviceptr dho = slot(3, hOut.size());
        CUdeviceptr dtc = tanhC == null ? null : slot(4, tanhC.size());
        launchLstmForward(dg, dcp, dco, dho, dtc, b, h);
        out(dg, gates);
        out(dco, cOut);
        out(dho, hOut);
        if (tanhC != null) {
            out(dtc, tanhC);
        }
    }

    @Override
    public synchronized void lstmBackward(Tensor acts, Tensor cPrev, Tensor tanhC, Tensor dh, Tensor dc, Tensor dGates) {
        int h = hidden(acts, 4, cPrev, tanhC, dh, dc);
        if (h <= 0 || tanhC == null || dh == null || dc == null || cPrev == null || !acts.sameShape(dGates)
                || acts.rows() == 0) {
            cpu.lstmBackward(acts, cPrev, tanhC, dh, dc, dGates);
            return;
        }
        ctx.makeCurrent();
        int b = acts.rows();
        CUdeviceptr da = in(0, acts);
        CUdeviceptr dcp = in(1, cPrev);
        CUdeviceptr dtc = in(2, tanhC);
        CUdeviceptr ddh = in(3, dh);
        CUdeviceptr ddc = in(4, dc);
        CUdeviceptr ddg = slot(5, dGates.size());
        launch1d(CudaKernel.LSTM_BACKWARD, b * h, da, dcp, dtc, ddh, ddc, ddg, b, h);
        out(ddc, dc);
        out(ddg, dGates);
    }

    @Override
    public synchronized void gruForward(Tensor gx, Tensor gh, Tensor hPrev, Tensor hOut) {
        int h = hidden(gx, 3, hPrev, hOut);
        if (h <= 0 || hPrev == null || hOut == null || !gx.sameShape(gh) || gx.rows() == 0) {
            cpu.gruForward(gx, gh, hPrev, hOut);
            return;
        }
        ctx.makeCurrent();
        int b = gx.rows();
        CUdeviceptr dgx = in(0, gx);
        CUdeviceptr dgh = in(1, gh);
        CUdeviceptr dhp = in(2, hPrev);
        CUdeviceptr dho = slot(3, hOut.size());
        launchGruForward(dgx, dgh, dhp, dho, b, h);
        out(dgx, gx);
        out(dho, hOut);
    }

    @Override
    public synchronized void gruBackward(Tensor acts, Tensor gh, Tensor hPrev, Tensor dhOut, Tensor dgx, Tensor dgh,
                                         Tensor dhDirect) {
        int h = hidden(acts, 3, hPrev, dhOut, dhDirect);
        if (h <= 0 || hPrev == null || dhOut == null || dhDirect == null || !acts.sameShape(gh)
                || !acts.sameShape(dgx) || !acts.sameShape(dgh) || acts.rows() == 0) {
            cpu.gruBackward(acts, gh, hPrev, dhOut, dgx, dgh, dhDirect);
            return;
        }
        ctx.makeCurrent();
        int b = acts.rows();
        CUdeviceptr da = in(0, acts);
        CUdeviceptr dgh2 = in(1, gh);
        CUdeviceptr dhp = in(2, hPrev);
        CUdeviceptr ddh = in(3, dhOut);
        CUdeviceptr ddgx = slot(4, dgx.size());
        CUdeviceptr ddgh = slot(5, dgh.size());
        CUdeviceptr ddd = slot(6, dhDirect.size());
        launch1d(CudaKernel.GRU_BACKWARD, b * h, da, dgh2, dhp, ddh, ddgx, ddgh, ddd, b, h);
        out(ddgx, dgx);
        out(ddgh, dgh);
        out(ddd, dhDirect);
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
        cpu.gatherRows(table, ids, count, out);
    }

    @Override
    public void scatterAddRows(Tensor grad, int[] ids, int count, Tensor gradTable) {
        cpu.scatterAddRows(grad, ids, count, gradTable);
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay) {
        cpu.sgdUpdate(param, grad, velocity, lr, momentum, weightDecay);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                           float epsilon, int t, float weightDecay) {
        cpu.adamUpdate(param, grad, m, v, lr, beta1, beta2, epsilon, t, weightDecay);
    }

    // ---- device-resident API (benchmarks, chained launches) ----

    /** A new zero-filled device tensor; the caller closes it. */
    public synchronized DeviceTensor allocateDevice(int... shape) {
        ctx.makeCurrent();
        DeviceTensor t = new DeviceTensor(new CUdeviceptr(), shape, true);
        JCudaDriver.cuMemAlloc(t.pointer(), Math.max(4L * t.size(), 4L));
        JCudaDriver.cuMemsetD32(t.pointer(), 0, Math.max(t.size(), 1));
        return t;
    }

    /** A new device tensor holding a copy of {@code t}; the caller closes it. */
    public synchronized DeviceTensor upload(Tensor t) {
        DeviceTensor d = allocateDevice(t.shape());
        upload(t, d);
        return d;
    }

    public synchronized void upload(Tensor src, DeviceTensor dst) {
        requireSize("upload", dst, src.size());
        ctx.makeCurrent();
        if (src.size() > 0) {
            JCudaDriver.cuMemcpyHtoD(dst.pointer(), hostPointer(src), 4L * src.size());
        }
    }

    public synchronized void download(DeviceTensor src, Tensor dst) {
        requireSize("download", src, dst.size());
        ctx.makeCurrent();
        if (dst.size() > 0) {
            JCudaDriver.cuMemcpyDtoH(hostPointer(dst), src.pointer(), 4L * dst.size());
        }
    }

    /** {@link #gemm} on device tensors: asynchronous, no host copies. */
    public synchronized void gemmDevice(boolean transA, boolean transB, float alpha, DeviceTensor a, DeviceTensor b,
                                        float beta, DeviceTensor c) {
        GemmShape s = GemmShape.of(transA, transB, a.shape(), b.shape(), c.shape());
        if (s == null) {
            throw new ShapeMismatchException("gemmDevice" + (transA ? " A^T" : "") + (transB ? " B^T" : "")
                    + ": shapes " + a.shapeString() + " " + b.shapeString() + " " + c.shapeString() + " do not fit");
        }
        if (s.m == 0 || s.n == 0 || s.batch == 0) {
            return;
        }
        if (!s.launchable()) {
            throw new ShapeMismatchException("gemmDevice: " + s + " is outside the kernel's grid limits");
        }
        ctx.makeCurrent();
        launchGemm(s, transA, transB, alpha, a.pointer(), b.pointer(), beta, c.pointer());
    }

    /** {@link #addBias} on device tensors: x (N,C) += bias (C). */
    public synchronized void addBiasDevice(DeviceTensor x, DeviceTensor bias) {
        if (x.cols() != bias.size()) {
            throw new ShapeMismatchException("addBiasDevice: bias " + bias.shapeString() + " for x " + x.shapeString());
        }
        ctx.makeCurrent();
        launchAddBias(x.pointer(), bias.pointer(), x.rows(), bias.size());
    }

    /** {@link #lstmForward} on device tensors; tanhC may be null. */
    public synchronized void lstmForwardDevice(DeviceTensor gates, DeviceTensor cPrev, DeviceTensor cOut,
                                               DeviceTensor hOut, DeviceTensor tanhC) {
        int h = hiddenDevice("lstmForwardDevice", gates, 4, cPrev, cOut, hOut, tanhC);
        ctx.makeCurrent();
        launchLstmForward(gates.pointer(), cPrev.pointer(), cOut.pointer(), hOut.pointer(),
                tanhC == null ? null : tanhC.pointer(), gates.rows(), h);
    }

    /** {@link #gruForward} on device tensors. */
    public synchronized void gruForwardDevice(DeviceTensor gx, DeviceTensor gh, DeviceTensor hPrev, DeviceTensor hOut) {
        int h = hiddenDevice("gruForwardDevice", gx, 3, hPrev, hOut);
        if (!Arrays.equals(gx.shape(), gh.shape())) {
            throw new ShapeMismatchException("gruForwardDevice: gh " + gh.shapeString() + " differs from gx " + gx.shapeString());
        }
        ctx.makeCurrent();
        launchGruForward(gx.pointer(), gh.pointer(), hPrev.pointer(), hOut.pointer(), gx.rows(), h);
    }

    /** Waits for every launch so far. */
    public synchronized void synchronize() {
        ctx.makeCurrent();
        JCudaDriver.cuCtxSynchronize();
    }

    /** Runs {@code work} between two CUDA events and returns the device time between them, in ms. */
    public synchronized float elapsedMillis(Runnable work) {
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

    // ---- launches ----

    private void launchGemm(GemmShape s, boolean transA, boolean transB, float alpha, CUdeviceptr a, CUdeviceptr b,
                            float beta, CUdeviceptr c) {
        int gx = (s.n + GEMM_TILE - 1) / GEMM_TILE;
        int gy = (s.m + GEMM_TILE - 1) / GEMM_TILE;
        launch(CudaKernel.GEMM_FORWARD, gx, gy, s.batch, GEMM_THREADS, a, b, c, s.m, s.n, s.k, s.lda, s.ldb, s.ldc,
                s.strideA, s.strideB, s.strideC, transA ? 1 : 0, transB ? 1 : 0, alpha, beta);
    }

    private void launchAddBias(CUdeviceptr x, CUdeviceptr bias, int rows, int cols) {
        launch1d(CudaKernel.ADD_BIAS_FORWARD, rows * cols, x, bias, rows, cols);
    }

    private void launchLstmForward(CUdeviceptr gates, CUdeviceptr cPrev, CUdeviceptr cOut, CUdeviceptr hOut,
                                   CUdeviceptr tanhC, int b, int h) {
        // without tanhC the kernel gets cOut as a never-written placeholder (writeTanhC = 0)
        launch1d(CudaKernel.LSTM_FORWARD, b * h, gates, cPrev, cOut, hOut, tanhC == null ? cOut : tanhC, b, h,
                tanhC == null ? 0 : 1);
    }

    private void launchGruForward(CUdeviceptr gx, CUdeviceptr gh, CUdeviceptr hPrev, CUdeviceptr hOut, int b, int h) {
        launch1d(CudaKernel.GRU_FORWARD, b * h, gx, gh, hPrev, hOut, b, h);
    }

    /** One thread per element, grid-stride beyond {@link #MAX_BLOCKS} blocks. */
    private void launch1d(CudaKernel k, int n, Object... args) {
        if (n <= 0) {
            return;
        }
        int blocks = (int) Math.min((n + (long) BLOCK - 1) / BLOCK, MAX_BLOCKS);
        launch(k, blocks, 1, 1, BLOCK, args);
    }

    /** One warp per row, {@link #SOFTMAX_ROWS_PER_BLOCK} rows per block. */
    private void launchRows(CudaKernel k, int rows, Object... args) {
        int blocks = (rows + SOFTMAX_ROWS_PER_BLOCK - 1) / SOFTMAX_ROWS_PER_BLOCK;
        launch(k, blocks, 1, 1, SOFTMAX_THREADS, args);
    }

    private void launch(CudaKernel k, int gx, int gy, int gz, int block, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else if (a instanceof Long v) {
                params[i] = Pointer.to(new long[] {v});
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of " + k + " has unsupported type " + a);
            }
        }
        JCudaDriver.cuLaunchKernel(ctx.function(k), gx, gy, gz, block, 1, 1, 0, null, Pointer.to(params), null);
    }

    // ---- scratch buffers and copies ----

    /** Scratch slot {@code i} with room for {@code floats} 4-byte elements, grown (doubling) when needed. */
    private CUdeviceptr slot(int i, long floats) {
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

    private CUdeviceptr in(int i, Tensor t) {
        CUdeviceptr p = slot(i, t.size());
        if (t.size() > 0) {
            JCudaDriver.cuMemcpyHtoD(p, hostPointer(t), 4L * t.size());
        }
        return p;
    }

    private CUdeviceptr inInts(int i, int[] values, int n) {
        CUdeviceptr p = slot(i, n);
        if (n > 0) {
            JCudaDriver.cuMemcpyHtoD(p, Pointer.to(values), 4L * n);
        }
        return p;
    }

    private static void out(CUdeviceptr p, Tensor t) {
        if (t.size() > 0) {
            JCudaDriver.cuMemcpyDtoH(hostPointer(t), p, 4L * t.size());
        }
    }

    private static Pointer hostPointer(Tensor t) {
        return Pointer.to(t.data()).withByteOffset(4L * t.offset());
    }

    /**
     * The gemm problem as the kernel sees it: sizes, row strides of the stored matrices, and element
     * strides between batch entries.
     */
    record GemmShape(int m, int n, int k, int batch, int lda, int ldb, int ldc, long strideA, long strideB,
                     long strideC) {
        /** Null when the shapes do not fit (the CPU backend then reports the error). */
        static GemmShape of(boolean transA, boolean transB, int[] a, int[] b, int[] c) {
            int batch;
            int o;
            if (a.length == 3 || b.length == 3 || c.length == 3) {
                if (a.length != 3 || b.length != 3 || c.length != 3 || a[0] != b[0] || a[0] != c[0]) {
                    return null;
                }
                batch = a[0];
                o = 1;
            } else if (a.length == 2 && b.length == 2 && c.length == 2) {
                batch = 1;
                o = 0;
            } else {
                return null;
            }
            int ar = a[o];
            int ac = a[o + 1];
            int br = b[o];
            int bc = b[o + 1];
            int m = transA ? ac : ar;
            int k = transA ? ar : ac;
            int kb = transB ? bc : br;
            int n = transB ? br : bc;
            if (k != kb || c[o] != m || c[o + 1] != n) {
                return null;
            }
            return new GemmShape(m, n, k, batch, ac, bc, c[o + 1], (long) ar * ac, (long) br * bc, (long) m * n);
        }

        /** Non-empty and inside the kernel's grid limits (K = 0 is left to the CPU backend). */
        boolean launchable() {
            return m > 0 && n > 0 && k > 0 && batch > 0 && batch <= MAX_GRID_YZ
                    && (m + GEMM_TILE - 1) / GEMM_TILE <= MAX_GRID_YZ;
        }
    }
}
