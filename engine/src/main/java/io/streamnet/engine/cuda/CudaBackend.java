package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA backend: JCuda driver API, kernels from {@code engine/src/main/cuda/*.cu} loaded as PTX.
 *
 * <p>The SPI works on host {@link Tensor}s, so every GPU operation copies its inputs to cached
 * device scratch buffers (grown on demand, never freed per call), launches, and copies its outputs
 * back; the copies are synchronous, so a call returns with its results on the host. This pays off
 * for large gemms and batched recurrent steps; chains of launches without host copies go through
 * the device-resident API ({@link #deviceOps()}: gemm, addBias, lstmForward, ... on
 * {@link DeviceTensor}s), which the GPU check uses to separate kernel time from PCIe. Launch
 * configurations live in {@link KernelLauncher}, the scratch buffers in {@link ScratchSlots}.
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

    // ---- BLAS ----

    @Override
    public synchronized void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        GemmShape s = GemmShape.of(transA, transB, a.shape(), b.shape(), c.shape());
        if (s == null || !s.launchable()) {
            cpu.gemm(transA, transB, alpha, a, b, beta, c);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr da = scratch.in(0, a);
        CUdeviceptr db = scratch.in(1, b);
        CUdeviceptr dc = beta == 0f ? scratch.slot(2, c.size()) : scratch.in(2, c);
        launcher.gemm(s, transA, transB, alpha, da, db, beta, dc);
        scratch.out(dc, c);
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
        CUdeviceptr da = scratch.in(0, a);
        CUdeviceptr dx = scratch.in(1, x);
        CUdeviceptr dy = beta == 0f ? scratch.slot(2, y.size()) : scratch.in(2, y);
        // y (out,1) = alpha * op(A) (out,in) x (in,1) + beta * y
        launcher.gemm(s, transA, false, alpha, da, dx, beta, dy);
        scratch.out(dy, y);
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
        CUdeviceptr dx = scratch.in(0, x);
        CUdeviceptr db = scratch.in(1, bias);
        launcher.addBias(dx, db, x.rows(), c);
        scratch.out(dx, x);
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
        CUdeviceptr dx = scratch.in(0, x);
        switch (f.kind()) {
            case SIGMOID -> launcher.launch1d(CudaKernel.SIGMOID_FORWARD, n, dx, dx, n);
            case TANH -> launcher.launch1d(CudaKernel.TANH_FORWARD, n, dx, dx, n);
            case RELU -> launcher.launch1d(CudaKernel.RELU_FORWARD, n, dx, dx, n);
            case LEAKY_RELU -> launcher.launch1d(CudaKernel.LEAKY_RELU_FORWARD, n, dx, dx, n, f.slope());
            default -> throw new AssertionError(f);
        }
        scratch.out(dx, y);
    }

    @Override
    public synchronized void activateBackward(Activation f, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        int n = gradY.size();
        if (f.kind() == Activation.Kind.IDENTITY || x.size() != n || y.size() != n || gradX.size() != n || n == 0) {
            cpu.activateBackward(f, x, y, gradY, gradX);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dg = scratch.in(1, gradY);
        switch (f.kind()) {
            case SIGMOID -> launcher.launch1d(CudaKernel.SIGMOID_BACKWARD, n, scratch.in(0, y), dg, dg, n);
            case TANH -> launcher.launch1d(CudaKernel.TANH_BACKWARD, n, scratch.in(0, y), dg, dg, n);
            case RELU -> launcher.launch1d(CudaKernel.RELU_BACKWARD, n, scratch.in(0, x), dg, dg, n);
            case LEAKY_RELU -> launcher.launch1d(CudaKernel.LEAKY_RELU_BACKWARD, n, scratch.in(0, x), dg, dg, n,
                    f.slope());
            default -> throw new AssertionError(f);
        }
        scratch.out(dg, gradX);
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
        CUdeviceptr dx = scratch.in(0, x);
        launcher.launchRows(CudaKernel.SOFTMAX_FORWARD, x.rows(), dx, dx, x.rows(), x.cols());
        scratch.out(dx, y);
    }

    @Override
    public synchronized void logSoftmax(Tensor x, Tensor y) {
        if (!x.sameShape(y) || x.size() == 0) {
            cpu.logSoftmax(x, y);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dx = scratch.in(0, x);
        launcher.launchRows(CudaKernel.LOG_SOFTMAX_FORWARD, x.rows(), dx, dx, x.rows(), x.cols());
        scratch.out(dx, y);
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
        CUdeviceptr dx = scratch.in(0, logits);
        CUdeviceptr dl = scratch.inInts(1, labels, n);
        CUdeviceptr losses = scratch.slot(2, n);
        CUdeviceptr dg = grad == null ? losses : scratch.slot(3, grad.size());
        launcher.launchRows(CudaKernel.SOFTMAX_XENT_FORWARD_BACKWARD, n, dx, dl, losses, dg, n, c,
                grad == null ? 0 : 1);
        float[] rowLoss = new float[n];
        scratch.outFloats(losses, rowLoss, n);
        if (grad != null) {
            scratch.out(dg, grad);
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
        CUdeviceptr di = scratch.in(0, image);
        CUdeviceptr dc = scratch.slot(1, colsSize);
        launcher.launch1d(CudaKernel.IM2COL_FORWARD, colsSize, di, dc, g.channels(), g.height(), g.width(), g.kernelH(),
                g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        scratch.out(dc, cols);
    }

    @Override
    public synchronized void col2im(Tensor cols, ConvGeometry g, Tensor image) {
        int imageSize = g.channels() * g.height() * g.width();
        if (image.size() != imageSize || cols.size() != g.patchSize() * g.outH() * g.outW()) {
            cpu.col2im(cols, g, image);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dc = scratch.in(0, cols);
        CUdeviceptr di = scratch.in(1, image);
        launcher.launch1d(CudaKernel.COL2IM_BACKWARD, imageSize, dc, di, g.channels(), g.height(), g.width(),
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW());
        scratch.out(di, image);
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
                || (argmax != null && argmax.length < out.size()) || out.size() == 0) {
            cpu.maxPool(in, g, out, argmax);
            return;
        }
        ctx.makeCurrent();
        int n = out.size();
        CUdeviceptr di = scratch.in(0, in);
        CUdeviceptr dout = scratch.slot(1, n);
        CUdeviceptr darg = scratch.slot(2, n);
        launcher.launch1d(CudaKernel.MAXPOOL_FORWARD, n, di, dout, darg, in.dim(0) * in.dim(1), in.dim(2), in.dim(3),
                g.windowH(), g.windowW(), g.strideH(), g.strideW(), out.dim(2), out.dim(3));
        scratch.out(dout, out);
        if (argmax != null) {
            scratch.outInts(darg, argmax, n);
        }
    }

    @Override
    public synchronized void maxPoolBackward(Tensor gradOut, int[] argmax, Tensor gradIn) {
        int n = gradOut.size();
        if (n == 0 || argmax.length < n || !indicesInRange(argmax, n, gradIn.size())) {
            cpu.maxPoolBackward(gradOut, argmax, gradIn);
            return;
        }
        ctx.makeCurrent();
        CUdeviceptr dgo = scratch.in(0, gradOut);
        CUdeviceptr darg = scratch.inInts(1, argmax, n);
        CUdeviceptr dgi = scratch.in(2, gradIn);
        launcher.launch1d(CudaKernel.MAXPOOL_BACKWARD, n, dgo, darg, dgi, n);
        scratch.out(dgi, gradIn);
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
        CUdeviceptr dg = scratch.in(0, gates);
        CUdeviceptr dcp = scratch.in(1, cPrev);
        CUdeviceptr dco = scratch.slot(2, cOut.size());
        CUdeviceptr dho = scratch.slot(3, hOut.size());
        CUdeviceptr dtc = tanhC == null ? null : scratch.slot(4, tanhC.size());
        launcher.lstmForward(dg, dcp, dco, dho, dtc, b, h);
        scratch.out(dg, gates);
        scratch.out(dco, cOut);
        scratch.out(dho, hOut);
        if (tanhC != null) {
            scratch.out(dtc, tanhC);
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
        CUdeviceptr da = scratch.in(0, acts);
        CUdeviceptr dcp = scratch.in(1, cPrev);
        CUdeviceptr dtc = scratch.in(2, tanhC);
        CUdeviceptr ddh = scratch.in(3, dh);
        CUdeviceptr ddc = scratch.in(4, dc);
        CUdeviceptr ddg = scratch.slot(5, dGates.size());
        launcher.launch1d(CudaKernel.LSTM_BACKWARD, b * h, da, dcp, dtc, ddh, ddc, ddg, b, h);
        scratch.out(ddc, dc);
        scratch.out(ddg, dGates);
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
        CUdeviceptr dgx = scratch.in(0, gx);
        CUdeviceptr dgh = scratch.in(1, gh);
        CUdeviceptr dhp = scratch.in(2, hPrev);
        CUdeviceptr dho = scratch.slot(3, hOut.size());
        launcher.gruForward(dgx, dgh, dhp, dho, b, h);
        scratch.out(dgx, gx);
        scratch.out(dho, hOut);
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
        CUdeviceptr da = scratch.in(0, acts);
        CUdeviceptr dgh2 = scratch.in(1, gh);
        CUdeviceptr dhp = scratch.in(2, hPrev);
        CUdeviceptr ddh = scratch.in(3, dhOut);
        CUdeviceptr ddgx = scratch.slot(4, dgx.size());
        CUdeviceptr ddgh = scratch.slot(5, dgh.size());
        CUdeviceptr ddd = scratch.slot(6, dhDirect.size());
        launcher.launch1d(CudaKernel.GRU_BACKWARD, b * h, da, dgh2, dhp, ddh, ddgx, ddgh, ddd, b, h);
        scratch.out(ddgx, dgx);
        scratch.out(ddgh, dgh);
        scratch.out(ddd, dhDirect);
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
}
