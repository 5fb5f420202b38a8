package io.streamnet.engine.cpu;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Shapes;
import io.streamnet.engine.tensor.Tensor;

/**
 * The pure-Java backend. Stateless and thread-safe: gemm packing buffers live in a per-thread
 * workspace, so concurrent operators share one instance without locks or allocation per call.
 */
public final class CpuBackend implements Backend {
    private static final CpuBackend INSTANCE = new CpuBackend();

    private final ThreadLocal<PackedGemm> gemms =
            ThreadLocal.withInitial(() -> new PackedGemm(GemmKernels.choice().factory().get()));
    private final ThreadLocal<ImplicitConv> convs = ThreadLocal.withInitial(() -> new ImplicitConv(gemms.get()));

    public static CpuBackend instance() {
        return INSTANCE;
    }

    /** The micro-kernel in use, e.g. "vector256" or "scalar". */
    public static String gemmKernel() {
        return GemmKernels.choice().name();
    }

    @Override
    public String name() {
        return "cpu";
    }

    // ---- BLAS ----

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        if (a.rank() == 3 || b.rank() == 3 || c.rank() == 3) {
            gemmBatched(transA, transB, alpha, a, b, beta, c);
            return;
        }
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
            throw mismatch("gemm needs rank-2 (or rank-3 batched) operands", a, b, c);
        }
        gemm2d(transA, transB, alpha, a, a.offset(), b, b.offset(), beta, c, c.offset(),
                a.dim(0), a.dim(1), b.dim(0), b.dim(1), c.dim(0), c.dim(1));
    }

    private void gemmBatched(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        if (a.rank() != 3 || b.rank() != 3 || c.rank() != 3 || a.dim(0) != b.dim(0) || a.dim(0) != c.dim(0)) {
            throw mismatch("batched gemm needs rank-3 operands with one batch size", a, b, c);
        }
        int batch = a.dim(0);
        int sa = a.dim(1) * a.dim(2);
        int sb = b.dim(1) * b.dim(2);
        int sc = c.dim(1) * c.dim(2);
        for (int i = 0; i < batch; i++) {
            gemm2d(transA, transB, alpha, a, a.offset() + i * sa, b, b.offset() + i * sb, beta, c,
                    c.offset() + i * sc, a.dim(1), a.dim(2), b.dim(1), b.dim(2), c.dim(1), c.dim(2));
        }
    }

    private void gemm2d(boolean transA, boolean transB, float alpha, Tensor a, int aOff, Tensor b, int bOff,
                        float beta, Tensor c, int cOff, int ar, int ac, int br, int bc, int cr, int cc) {
        int m = transA ? ac : ar;
        int k = transA ? ar : ac;
        int kb = transB ? bc : br;
        int n = transB ? br : bc;
        if (k != kb || cr != m || cc != n) {
            throw mismatch("gemm" + (transA ? " A^T" : "") + (transB ? " B^T" : "") + ": inner or output dimensions differ",
                    a, b, c);
        }
        gemms.get().gemm(transA, transB, m, n, k, alpha, a.data(), aOff, ac, b.data(), bOff, bc,
                beta, c.data(), cOff, cc);
    }

    @Override
    public void gemv(boolean transA, float alpha, Tensor a, Tensor x, float beta, Tensor y) {
        Shapes.requireRank("gemv", a, 2);
        int rows = a.dim(0);
        int cols = a.dim(1);
        int in = transA ? rows : cols;
        int out = transA ? cols : rows;
        if (x.size() != in || y.size() != out) {
            throw mismatch("gemv" + (transA ? " A^T" : "") + ": vector lengths do not fit the matrix", a, x, y);
        }
        float[] ad = a.data();
        float[] xd = x.data();
        float[] yd = y.data();
        int ao = a.offset();
        int xo = x.offset();
        int yo = y.offset();
        if (!transA) {
            for (int i = 0; i < rows; i++) {
                float s = 0f;
                int r = ao + i * cols;
                for (int j = 0; j < cols; j++) {
                    s += ad[r + j] * xd[xo + j];
                }
                yd[yo + i] = alpha * s + (beta == 0f ? 0f : beta * yd[yo + i]);
            }
        } else {
            for (int j = 0; j < cols; j++) {
                yd[yo + j] = beta == 0f ? 0f : beta * yd[yo + j];
            }
            for (int i = 0; i < rows; i++) {
                float xi = alpha * xd[xo + i];
                int r = ao + i * cols;
                for (int j = 0; j < cols; j++) {
                    yd[yo + j] += xi * ad[r + j];
                }
            }
        }
    }

    // ---- element-wise and reductions ----

    @Override
    public void addBias(Tensor x, Tensor bias) {
        int c = bias.size();
        if (x.cols() != c) {
            throw mismatch("addBias: bias length must equal the row length", x, bias);
        }
        float[] xd = x.data();
        float[] bd = bias.data();
        int bo = bias.offset();
        for (int i = 0, n = x.rows(); i < n; i++) {
            int r = x.offset() + i * c;
            for (int j = 0; j < c; j++) {
                xd[r + j] += bd[bo + j];
            }
        }
    }

    @Override
    public void addChannelBias(Tensor x, Tensor bias) {
        int c = bias.size();
        if (x.rank() < 2 || x.dim(1) != c) {
            throw mismatch("addChannelBias: x must be (N,C,...) with C = bias length", x, bias);
        }
        int spatial = x.size() / (x.dim(0) * c);
        float[] xd = x.data();
        for (int n = 0; n < x.dim(0); n++) {
            for (int ch = 0; ch < c; ch++) {
                float b = bias.data()[bias.offset() + ch];
                int base = x.offset() + (n * c + ch) * spatial;
                for (int s = 0; s < spatial; s++) {
                    xd[base + s] += b;
                }
            }
        }
    }

    @Override
    public void sumRows(Tensor x, Tensor out, boolean accumulate) {
        int c = out.size();
        if (x.cols() != c) {
            throw mismatch("sumRows: output length must equal the row length", x, out);
        }
        float[] od = out.data();
        int oo = out.offset();
        if (!accumulate) {
            java.util.Arrays.fill(od, oo, oo + c, 0f);
        }
        float[] xd = x.data();
        for (int i = 0, n = x.rows(); i < n; i++) {
            int r = x.offset() + i * c;
            for (int j = 0; j < c; j++) {
                od[oo + j] += xd[r + j];
            }
        }
    }

    @Override
    public void sumChannels(Tensor x, Tensor out, boolean accumulate) {
        int c = out.size();
        if (x.rank() < 2 || x.dim(1) != c) {
            throw mismatch("sumChannels: x must be (N,C,...) with C = output length", x, out);
        }
        int spatial = x.size() / (x.dim(0) * c);
        float[] od = out.data();
        int oo = out.offset();
        if (!accumulate) {
            java.util.Arrays.fill(od, oo, oo + c, 0f);
        }
        float[] xd = x.data();
        for (int n = 0; n < x.dim(0); n++) {
            for (int ch = 0; ch < c; ch++) {
                int base = x.offset() + (n * c + ch) * spatial;
                float s = 0f;
                for (int i = 0; i < spatial; i++) {
                    s += xd[base + i];
                }
                od[oo + ch] += s;
            }
        }
    }

    @Override
    public void activate(Activation f, Tensor x, Tensor y) {
        Shapes.requireSize("activate " + f.spec(), y, x.size());
        Elementwise.activate(f, x.data(), x.offset(), y.data(), y.offset(), x.size());
    }

    @Override
    public void activateBackward(Activation f, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        int n = gradY.size();
        if (x.size() != n || y.size() != n || gradX.size() != n) {
            throw mismatch("activateBackward " + f.spec() + ": x, y, gradY and gradX must have one size", x, y, gradY, gradX);
        }
        Elementwise.activateBackward(f, x.data(), x.offset(), y.data(), y.offset(),
                gradY.data(), gradY.offset(), gradX.data(), gradX.offset(), n);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        Shapes.requireSize("axpy", y, x.size());
        float[] xd = x.data();
        float[] yd = y.data();
        int xo = x.offset();
        int yo = y.offset();
        for (int i = 0, n = x.size(); i < n; i++) {
            yd[yo + i] += alpha * xd[xo + i];
        }
    }

    @Override
    public void scale(Tensor x, float alpha) {
        float[] xd = x.data();
        for (int i = x.offset(), end = x.offset() + x.size(); i < end; i++) {
            xd[i] *= alpha;
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        int n = a.size();
        if (b.size() != n || out.size() != n) {
            throw mismatch("add: operands must have one size", a, b, out);
        }
        for (int i = 0; i < n; i++) {
            out.data()[out.offset() + i] = a.data()[a.offset() + i] + b.data()[b.offset() + i];
        }
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        int n = a.size();
        if (b.size() != n || out.size() != n) {
            throw mismatch("mul: operands must have one size", a, b, out);
        }
        float[] ad = a.data();
        float[] bd = b.data();
        float[] od = out.data();
        for (int i = 0; i < n; i++) {
            od[out.offset() + i] = ad[a.offset() + i] * bd[b.offset() + i];
        }
    }

    @Override
    public float sum(Tensor x) {
        double s = 0;
        float[] xd = x.data();
        for (int i = x.offset(), end = x.offset() + x.size(); i < end; i++) {
            s += xd[i];
        }
        return (float) s;
    }

    @Override
    public float sumOfSquares(Tensor x) {
        double s = 0;
        float[] xd = x.data();
        for (int i = x.offset(), end = x.offset() + x.size(); i < end; i++) {
            s += (double) xd[i] * xd[i];
        }
        return (float) s;
    }

    @Override
    public void argmaxRows(Tensor x, int[] out) {
        int n = x.rows();
        int c = x.cols();
        if (out.length < n) {
            throw new ShapeMismatchException("argmaxRows: output holds " + out.length + " but x has shape " + x.shapeString());
        }
        float[] xd = x.data();
        for (int i = 0; i < n; i++) {
            int r = x.offset() + i * c;
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (xd[r + j] > xd[r + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
    }

    // ---- softmax and losses ----

    @Override
    public void softmax(Tensor x, Tensor y) {
        Shapes.requireSame("softmax", x, y);
        int c = x.cols();
        for (int i = 0, n = x.rows(); i < n; i++) {
            SoftmaxKernels.softmaxRow(x.data(), x.offset() + i * c, y.data(), y.offset() + i * c, c);
        }
    }

    @Override
    public void logSoftmax(Tensor x, Tensor y) {
        Shapes.requireSame("logSoftmax", x, y);
        int c = x.cols();
        for (int i = 0, n = x.rows(); i < n; i++) {
            SoftmaxKernels.logSoftmaxRow(x.data(), x.offset() + i * c, y.data(), y.offset() + i * c, c);
        }
    }

    @Override
    public float mse(Tensor pred, Tensor target, Tensor grad) {
        Shapes.requireSame("mse", pred, target);
        if (grad != null) {
            Shapes.requireSame("mse gradient", pred, grad);
        }
        int n = pred.size();
        double s = 0;
        float scale = 2f / n;
        for (int i = 0; i < n; i++) {
            float d = pred.data()[pred.offset() + i] - target.data()[target.offset() + i];
            s += (double) d * d;
            if (grad != null) {
                grad.data()[grad.offset() + i] = scale * d;
            }
        }
        return (float) (s / n);
    }

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor grad) {
        checkLabels("softmaxCrossEntropy", logits, labels, grad);
        return SoftmaxKernels.softmaxCrossEntropy(logits.data(), logits.offset(), logits.rows(), logits.cols(), labels,
                grad == null ? null : grad.data(), grad == null ? 0 : grad.offset());
    }

    @Override
    public float crossEntropy(Tensor probs, int[] labels, Tensor grad) {
        checkLabels("crossEntropy", probs, labels, grad);
        return SoftmaxKernels.crossEntropy(probs.data(), probs.offset(), probs.rows(), probs.cols(), labels,
                grad == null ? null : grad.data(), grad == null ? 0 : grad.offset());
    }

    private static void checkLabels(String op, Tensor x, int[] labels, Tensor grad) {
        Shapes.requireRank(op, x, 2);
        if (labels.length < x.rows()) {
            throw new ShapeMismatchException(op + ": " + labels.length + " labels for input of shape " + x.shapeString());
        }
        if (grad != null) {
            Shapes.requireSame(op + " gradient", x, grad);
        }
    }

    // ---- convolution helpers ----

    @Override
    public void im2col(Tensor image, ConvGeometry g, Tensor cols) {
        Shapes.requireSize("im2col image", image, g.channels() * g.height() * g.width());
        Shapes.requireSize("im2col cols", cols, g.patchSize() * g.outH() * g.outW());
        ConvKernels.im2col(image.data(), image.offset(), g, cols.data(), cols.offset());
    }

    @Override
    public void col2im(Tensor cols, ConvGeometry g, Tensor image) {
        Shapes.requireSize("col2im image", image, g.channels() * g.height() * g.width());
        Shapes.requireSize("col2im cols", cols, g.patchSize() * g.outH() * g.outW());
        ConvKernels.col2im(cols.data(), cols.offset(), g, image.data(), image.offset());
    }

    @Override
    public void im2colBatch(Tensor images, ConvGeometry g, Tensor cols) {
        int n = checkBatchConv("im2colBatch", images, g, cols);
        int plane = g.outH() * g.outW();
        int imageSize = g.channels() * g.height() * g.width();
        for (int i = 0; i < n; i++) {
            ConvKernels.im2col(images.data(), images.offset() + i * imageSize, g, cols.data(),
                    cols.offset() + i * plane, n * plane);
        }
    }

    @Override
    public void col2imBatch(Tensor cols, ConvGeometry g, Tensor images) {
        int n = checkBatchConv("col2imBatch", images, g, cols);
        int plane = g.outH() * g.outW();
        int imageSize = g.channels() * g.height() * g.width();
        for (int i = 0; i < n; i++) {
            ConvKernels.col2im(cols.data(), cols.offset() + i * plane, g, images.data(),
                    images.offset() + i * imageSize, n * plane);
        }
    }

    private static int checkBatchConv(String op, Tensor images, ConvGeometry g, Tensor cols) {
        if (images.rank() != 4 || images.dim(1) != g.channels() || images.dim(2) != g.height()
                || images.dim(3) != g.width()) {
            throw new ShapeMismatchException(op + ": images " + images.shapeString() + " vs geometry [N, "
                    + g.channels() + ", " + g.height() + ", " + g.width() + "]");
        }
        int n = images.dim(0);
        Shapes.requireSize(op + " cols", cols, g.patchSize() * n * g.outH() * g.outW());
        return n;
    }

    @Override
    public void swapLeadingAxes(Tensor x, Tensor out) {
        if (x.rank() < 2 || out.rank() != x.rank() || out.dim(0) != x.dim(1) || out.dim(1) != x.dim(0)
                || out.size() != x.size()) {
            throw mismatch("swapLeadingAxes: out must be x's shape with the first two axes swapped", x, out);
        }
        int a = x.dim(0);
        int b = x.dim(1);
        int s = a * b == 0 ? 0 : x.size() / (a * b);
        ConvKernels.swapLeadingAxes(x.data(), x.offset(), a, b, s, out.data(), out.offset());
    }

    @Override
    public void convOutput(Tensor x, Tensor shift, Tensor residual, Activation act, Tensor out) {
        if (x.rank() < 2 || out.rank() != x.rank() || out.dim(0) != x.dim(1) || out.dim(1) != x.dim(0)
                || out.size() != x.size()) {
            throw mismatch("convOutput: out must be x's shape with the first two axes swapped", x, out);
        }
        int f = x.dim(0);
        int n = x.dim(1);
        if (shift != null && shift.size() != f) {
            throw mismatch("convOutput: shift must hold one value per channel", x, shift);
        }
        if (residual != null && !residual.sameShape(out)) {
            throw mismatch("convOutput: residual must have out's shape", residual, out);
        }
        if (act != null && act.kind() != Activation.Kind.RELU && act.kind() != Activation.Kind.IDENTITY) {
            Backend.super.convOutput(x, shift, residual, act, out);
            return;
        }
        int s = f * n == 0 ? 0 : x.size() / (f * n);
        ConvKernels.convOutput(x.data(), x.offset(), f, n, s, shift == null ? null : shift.data(),
                shift == null ? 0 : shift.offset(), residual == null ? null : residual.data(),
                residual == null ? 0 : residual.offset(), act != null && act.kind() == Activation.Kind.RELU,
                out.data(), out.offset());
    }

    /** Stride 1: the implicit gemm of {@link ImplicitConv} (no im2col matrix), ReLU or no activation. */
    @Override
    public boolean convolve(Tensor x, ConvGeometry g, Tensor weight, Tensor shift, Tensor residual, Activation act,
                            Tensor out) {
        if (!ImplicitConv.supports(g)
                || (act != null && act.kind() != Activation.Kind.RELU && act.kind() != Activation.Kind.IDENTITY)) {
            return false;
        }
        int n = x.rank() == 4 ? x.dim(0) : -1;
        int f = weight.rank() == 2 ? weight.dim(0) : -1;
        if (n < 0 || x.dim(1) != g.channels() || x.dim(2) != g.height() || x.dim(3) != g.width() || f < 0
                || weight.dim(1) != g.patchSize()) {
            throw mismatch("convolve: x must be (N, C, H, W) and the weight (F, C*kH*kW) of the geometry", x, weight);
        }
        if (out.rank() != 4 || out.dim(0) != n || out.dim(1) != f || out.dim(2) != g.outH() || out.dim(3) != g.outW()) {
            throw mismatch("convolve: out must be (N, F, H', W')", x, weight, out);
        }
        if (shift != null && shift.size() != f) {
            throw mismatch("convolve: shift must hold one value per filter", weight, shift);
        }
        if (residual != null && !residual.sameShape(out)) {
            throw mismatch("convolve: residual must have out's shape", residual, out);
        }
        convs.get().convolve(x.data(), x.offset(), n, g, weight.data(), weight.offset(), f,
                shift == null ? null : shift.data(), shift == null ? 0 : shift.offset(),
                residual == null ? null : residual.data(), residual == null ? 0 : residual.offset(),
                act != null && act.kind() == Activation.Kind.RELU, out.data(), out.offset());
        return true;
    }

    @Override
    public boolean convolveBackward(Tensor x, ConvGeometry g, Tensor weight, Tensor gradOut, Tensor gradWeight,
                                    Tensor gradInput) {
        if (!ImplicitConv.supports(g)) {
            return false;
        }
        int n = x.rank() == 4 ? x.dim(0) : -1;
        int f = weight.rank() == 2 ? weight.dim(0) : -1;
        if (n < 0 || x.dim(1) != g.channels() || x.dim(2) != g.height() || x.dim(3) != g.width() || f < 0
                || weight.dim(1) != g.patchSize() || !gradWeight.sameShape(weight) || !gradInput.sameShape(x)) {
            throw mismatch("convolveBackward: x (N, C, H, W), weight and its gradient (F, C*kH*kW), gradInput x's shape",
                    x, weight, gradWeight, gradInput);
        }
        if (gradOut.rank() != 4 || gradOut.dim(0) != n || gradOut.dim(1) != f || gradOut.dim(2) != g.outH()
                || gradOut.dim(3) != g.outW()) {
            throw mismatch("convolveBackward: gradOut must be (N, F, H', W')", x, weight, gradOut);
        }
        convs.get().backward(x.data(), x.offset(), n, g, weight.data(), weight.offset(), f, gradOut.data(),
                gradOut.offset(), gradWeight.data(), gradWeight.offset(), gradInput.data(), gradInput.offset());
        return true;
    }

    @Override
    public void maxPool(Tensor in, PoolGeometry g, Tensor out, int[] argmax) {
        checkPool("maxPool", in, g, out);
        if (argmax != null && argmax.length < out.size()) {
            throw new ShapeMismatchException("maxPool: argmax holds " + argmax.length + " for output " + out.shapeString());
        }
        PoolKernels.maxPool(in.data(), in.offset(), in.dim(0) * in.dim(1), in.dim(2), in.dim(3), g,
                out.data(), out.offset(), argmax);
    }

    @Override
    public void maxPoolBackward(Tensor gradOut, int[] argmax, Tensor gradIn) {
        PoolKernels.maxPoolBackward(gradOut.data(), gradOut.offset(), gradOut.size(), argmax,
                gradIn.data(), gradIn.offset());
    }

    @Override
    public void avgPool(Tensor in, PoolGeometry g, Tensor out) {
        checkPool("avgPool", in, g, out);
        PoolKernels.avgPool(in.data(), in.offset(), in.dim(0) * in.dim(1), in.dim(2), in.dim(3), g,
                out.data(), out.offset());
    }

    @Override
    public void avgPoolBackward(Tensor gradOut, PoolGeometry g, Tensor gradIn) {
        checkPool("avgPoolBackward", gradIn, g, gradOut);
        PoolKernels.avgPoolBackward(gradOut.data(), gradOut.offset(), gradIn.dim(0) * gradIn.dim(1),
                gradIn.dim(2), gradIn.dim(3), g, gradIn.data(), gradIn.offset());
    }

    private static void checkPool(String op, Tensor in, PoolGeometry g, Tensor out) {
        Shapes.requireRank(op, in, 4);
        if (in.dim(2) < g.windowH() || in.dim(3) < g.windowW()) {
            throw new ShapeMismatchException(op + ": window " + g.windowH() + "x" + g.windowW()
                    + " larger than input " + in.shapeString());
        }
        Shapes.requireShape(op + " output", out, in.dim(0), in.dim(1), g.outH(in.dim(2)), g.outW(in.dim(3)));
    }

    // ---- fused recurrent cell math ----

    @Override
    public void lstmForward(Tensor gates, Tensor cPrev, Tensor cOut, Tensor hOut, Tensor tanhC) {
        int b = gates.rows();
        int h = checkGates("lstmForward", gates, 4, cPrev, cOut, hOut, tanhC);
        RecurrentKernels.lstmForward(gates.data(), gates.offset(), cPrev.data(), cPrev.offset(), cOut.data(),
                cOut.offset(), hOut.data(), hOut.offset(), tanhC == null ? null : tanhC.data(),
                tanhC == null ? 0 : tanhC.offset(), b, h);
    }

    @Override
    public void lstmBackward(Tensor acts, Tensor cPrev, Tensor tanhC, Tensor dh, Tensor dc, Tensor dGates) {
        int b = acts.rows();
        int h = checkGates("lstmBackward", acts, 4, cPrev, tanhC, dh, dc);
        Shapes.requireSame("lstmBackward dGates", acts, dGates);
        RecurrentKernels.lstmBackward(acts.data(), acts.offset(), cPrev.data(), cPrev.offset(), tanhC.data(),
                tanhC.offset(), dh.data(), dh.offset(), dc.data(), dc.offset(), dGates.data(), dGates.offset(), b, h);
    }

    @Override
    public void gruForward(Tensor gx, Tensor gh, Tensor hPrev, Tensor hOut) {
        int b = gx.rows();
        int h = checkGates("gruForward", gx, 3, hPrev, hOut);
        Shapes.requireSame("gruForward gh", gx, gh);
        RecurrentKernels.gruForward(gx.data(), gx.offset(), gh.data(), gh.offset(), hPrev.data(), hPrev.offset(),
                hOut.data(), hOut.offset(), b, h);
    }

    @Override
    public void gruBackward(Tensor acts, Tensor gh, Tensor hPrev, Tensor dhOut, Tensor dgx, Tensor dgh,
                            Tensor dhDirect) {
        int b = acts.rows();
        int h = checkGates("gruBackward", acts, 3, hPrev, dhOut, dhDirect);
        Shapes.requireSame("gruBackward gh", acts, gh);
        Shapes.requireSame("gruBackward dgx", acts, dgx);
        Shapes.requireSame("gruBackward dgh", acts, dgh);
        RecurrentKernels.gruBackward(acts.data(), acts.offset(), gh.data(), gh.offset(), hPrev.data(), hPrev.offset(),
                dhOut.data(), dhOut.offset(), dgx.data(), dgx.offset(), dgh.data(), dgh.offset(), dhDirect.data(),
                dhDirect.offset(), b, h);
    }

    /** Gates must be (B, G*H) and every state (B, H); returns H. */
    private static int checkGates(String op, Tensor gates, int g, Tensor... states) {
        Shapes.requireRank(op, gates, 2);
        if (gates.cols() % g != 0) {
            throw new ShapeMismatchException(op + ": gate width " + gates.cols() + " is not " + g + " x hidden in "
                    + gates.shapeString());
        }
        int h = gates.cols() / g;
        for (Tensor s : states) {
            if (s != null && (s.rank() != 2 || s.dim(0) != gates.dim(0) || s.dim(1) != h)) {
                throw mismatch(op + ": states must be [B, H] = [" + gates.dim(0) + ", " + h + "]", gates, s);
            }
        }
        return h;
    }

    // ---- embeddings ----

    @Override
    public void gatherRows(Tensor table, int[] ids, int count, Tensor out) {
        int d = table.cols();
        if (out.size() < count * d || out.cols() != d) {
            throw mismatch("gatherRows: output must be [" + count + ", " + d + "]", table, out);
        }
        for (int i = 0; i < count; i++) {
            int id = checkId(ids[i], table.rows(), i);
            System.arraycopy(table.data(), table.offset() + id * d, out.data(), out.offset() + i * d, d);
        }
    }

    @Override
    public void scatterAddRows(Tensor grad, int[] ids, int count, Tensor gradTable) {
        int d = gradTable.cols();
        if (grad.size() < count * d || grad.cols() != d) {
            throw mismatch("scatterAddRows: gradient must be [" + count + ", " + d + "]", grad, gradTable);
        }
        float[] g = grad.data();
        float[] t = gradTable.data();
        for (int i = 0; i < count; i++) {
            int id = checkId(ids[i], gradTable.rows(), i);
            int src = grad.offset() + i * d;
            int dst = gradTable.offset() + id * d;
            for (int j = 0; j < d; j++) {
                t[dst + j] += g[src + j];
            }
        }
    }

    private static int checkId(int id, int rows, int position) {
        if (id < 0 || id >= rows) {
            throw new IllegalArgumentException("id " + id + " at position " + position + " is outside [0, " + rows + ")");
        }
        return id;
    }

    // ---- optimizer updates ----

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay) {
        int n = param.size();
        if (grad.size() != n || (velocity != null && velocity.size() != n)) {
            throw mismatch("sgdUpdate: param, grad and velocity must have one size", param, grad);
        }
        float[] p = param.data();
        float[] g = grad.data();
        int po = param.offset();
        int go = grad.offset();
        if (velocity == null || momentum == 0f) {
            for (int i = 0; i < n; i++) {
                p[po + i] -= lr * (g[go + i] + weightDecay * p[po + i]);
            }
            return;
        }
        float[] v = velocity.data();
        int vo = velocity.offset();
        for (int i = 0; i < n; i++) {
            float vi = momentum * v[vo + i] + g[go + i] + weightDecay * p[po + i];
            v[vo + i] = vi;
            p[po + i] -= lr * vi;
        }
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                           float epsilon, int t, float weightDecay) {
        int n = param.size();
        if (grad.size() != n || m.size() != n || v.size() != n) {
            throw mismatch("adamUpdate: param, grad, m and v must have one size", param, grad, m, v);
        }
        if (t < 1) {
            throw new IllegalArgumentException("adam step must be >= 1, got " + t);
        }
        float c1 = (float) (1.0 / (1.0 - Math.pow(beta1, t)));
        float c2 = (float) (1.0 / (1.0 - Math.pow(beta2, t)));
        float[] p = param.data();
        float[] g = grad.data();
        float[] md = m.data();
        float[] vd = v.data();
        int po = param.offset();
        int go = grad.offset();
        int mo = m.offset();
        int vo = v.offset();
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] + weightDecay * p[po + i];
            float mi = beta1 * md[mo + i] + (1f - beta1) * gi;
            float vi = beta2 * vd[vo + i] + (1f - beta2) * gi * gi;
            md[mo + i] = mi;
            vd[vo + i] = vi;
            p[po + i] -= lr * (mi * c1) / ((float) Math.sqrt(vi * c2) + epsilon);
        }
    }

    private static ShapeMismatchException mismatch(String what, Tensor... ts) {
        StringBuilder sb = new StringBuilder(what).append(": shapes");
        for (Tensor t : ts) {
            sb.append(' ').append(t.shapeString());
        }
        return new ShapeMismatchException(sb.toString());
    }
}
