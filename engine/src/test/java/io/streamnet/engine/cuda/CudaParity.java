package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

/**
 * Parity cases of every GPU kernel against {@link CpuBackend}: random inputs of several shapes (odd
 * sizes, transposes, alpha/beta, batches), the same call on both backends, and an element-wise
 * comparison. Shared by the JUnit parity test and the {@link GpuCheck} program; running the cases
 * with the CPU backend in the GPU's place checks the harness itself.
 *
 * <p>Tolerances: gemm and gemv use the float32 error bound of a dot product of length K, scaled by
 * the magnitudes involved: {@code |gpu - cpu| <= 2.4e-7 (K + 2) (|alpha| |op(A)| |op(B)| + |beta C|)}
 * per element (each side may be off by K ulps of that bound; an indexing error is off by the
 * order of the bound itself). Element-wise kernels use {@code atol + rtol |cpu|}.
 */
public final class CudaParity {
    private CudaParity() {
    }

    /** One comparison: worst is the largest error divided by its tolerance (pass: at most 1). */
    public record Result(String kernel, String shape, double maxAbsErr, double maxRelErr, double worst, String error) {
        public boolean pass() {
            return error == null && worst <= 1.0;
        }

        public String row() {
            String verdict = pass() ? "PASS" : "FAIL";
            if (error != null) {
                return String.format(Locale.ROOT, "%-28s %-34s %10s %10s %8s  %s  %s", kernel, shape, "-", "-", "-",
                        verdict, error);
            }
            return String.format(Locale.ROOT, "%-28s %-34s %10.3e %10.3e %8.3f  %s", kernel, shape, maxAbsErr, maxRelErr,
                    worst, verdict);
        }

        public static String header() {
            return String.format(Locale.ROOT, "%-28s %-34s %10s %10s %8s  %s", "kernel", "shape", "maxAbsErr", "maxRelErr",
                    "err/tol", "result");
        }
    }

    /** A named case: runs the operation on the given backend and on the CPU, and compares. */
    public record Case(String kernel, String shape, Function<Backend, Result> body) {
        public Result run(Backend gpu) {
            try {
                return body.apply(gpu);
            } catch (RuntimeException | LinkageError e) {
                return new Result(kernel, shape, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, CudaContext.reason(e));
            }
        }

        @Override
        public String toString() {
            return kernel + " " + shape;
        }
    }

    public static List<Result> runAll(Backend gpu) {
        List<Result> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(c.run(gpu));
        }
        return out;
    }

    public static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        gemmCases(cases);
        gemvCases(cases);
        activationCases(cases);
        softmaxCases(cases);
        recurrentCases(cases);
        convCases(cases);
        batchConvCases(cases);
        residentCases(cases);
        return cases;
    }

    // ---- gemm ----

    private static void gemmCases(List<Case> cases) {
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {7, 5, 3}, {17, 33, 9}, {64, 64, 64}, {128, 128, 128},
                {129, 257, 65}, {300, 200, 513}, {1024, 1024, 1024}};
        float[][] alphaBeta = {{1f, 0f}, {-1.5f, 0.75f}};
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                if (s[0] == 1024 && t != 0 && t != 3) {
                    continue;   // the large size only as NN and TT, to keep the CPU time down
                }
                for (float[] ab : alphaBeta) {
                    cases.add(gemmCase(0, s[0], s[1], s[2], ta, tb, ab[0], ab[1]));
                }
            }
        }
        for (int t = 0; t < 4; t++) {
            cases.add(gemmCase(3, 33, 17, 65, (t & 1) != 0, (t & 2) != 0, 0.5f, 0.25f));
        }
        cases.add(gemmCase(2, 130, 129, 257, false, false, 1f, 0f));
        cases.add(viewCase());
    }

    /** Operands that are views at an offset into larger arrays: the host copies must honour offsets. */
    private static Case viewCase() {
        String shape = "37x19x23 at offsets 5/11/3";
        return new Case("gemm NN views", shape, gpu -> {
            Random r = new Random(99);
            Tensor a = Tensor.view(rand(r, -1f, 1f, 5 + 37 * 23 + 4).data(), 5, 37, 23);
            Tensor b = Tensor.view(rand(r, -1f, 1f, 11 + 23 * 19 + 2).data(), 11, 23, 19);
            float[] cg = rand(r, -1f, 1f, 3 + 37 * 19 + 6).data();
            float[] cc = cg.clone();
            gpu.gemm(false, false, 1f, a, b, 0.5f, Tensor.view(cg, 3, 37, 19));
            CpuBackend.instance().gemm(false, false, 1f, a, b, 0.5f, Tensor.view(cc, 3, 37, 19));
            // the whole arrays: the elements around the view must be untouched
            return new Check().compare(cg, cc, 1e-5, 1e-5).result("gemm NN views", shape);
        });
    }

    /** batch 0: rank-2 operands; batch > 0: rank-3. */
    private static Case gemmCase(int batch, int m, int n, int k, boolean ta, boolean tb, float alpha, float beta) {
        String kernel = "gemm" + (batch > 0 ? " batched " : " ") + (ta ? "T" : "N") + (tb ? "T" : "N");
        String shape = (batch > 0 ? batch + "x" : "") + m + "x" + n + "x" + k + " a=" + alpha + " b=" + beta;
        return new Case(kernel, shape, gpu -> {
            Random r = new Random(31L * m + 17L * n + k + (ta ? 5 : 0) + (tb ? 11 : 0) + batch);
            Tensor a = rand(r, -1f, 1f, batched(batch, ta ? new int[] {k, m} : new int[] {m, k}));
            Tensor b = rand(r, -1f, 1f, batched(batch, tb ? new int[] {n, k} : new int[] {k, n}));
            Tensor c0 = beta == 0f ? Tensor.zeros(batched(batch, new int[] {m, n})).fill(Float.NaN)
                    : rand(r, -1f, 1f, batched(batch, new int[] {m, n}));
            Tensor cg = c0.copy();
            Tensor cc = c0.copy();
            gpu.gemm(ta, tb, alpha, a, b, beta, cg);
            CpuBackend cpu = CpuBackend.instance();
            cpu.gemm(ta, tb, alpha, a, b, beta, cc);
            Tensor bound = Tensor.zeros(c0.shape());
            cpu.gemm(ta, tb, Math.abs(alpha), abs(a), abs(b), 0f, bound);
            float[] tol = bound.toArray();
            for (int i = 0; i < tol.length; i++) {
                float extra = beta == 0f ? 0f : Math.abs(beta * c0.at(i));
                tol[i] = 2.4e-7f * (k + 2) * (tol[i] + extra) + 1e-30f;
            }
            return new Check().compare(cg.toArray(), cc.toArray(), tol).result(kernel, shape);
        });
    }

    private static int[] batched(int batch, int[] shape) {
        if (batch == 0) {
            return shape;
        }
        return new int[] {batch, shape[0], shape[1]};
    }

    private static void gemvCases(List<Case> cases) {
        int[][] sizes = {{1, 1}, {37, 53}, {1000, 700}};
        for (int[] s : sizes) {
            for (boolean ta : new boolean[] {false, true}) {
                cases.add(gemvCase(s[0], s[1], ta, 1.25f, ta ? 0.5f : 0f));
            }
        }
    }

    private static Case gemvCase(int rows, int cols, boolean ta, float alpha, float beta) {
        String kernel = "gemv " + (ta ? "T" : "N");
        String shape = rows + "x" + cols + " a=" + alpha + " b=" + beta;
        return new Case(kernel, shape, gpu -> {
            Random r = new Random(rows * 7L + cols + (ta ? 3 : 0));
            int in = ta ? rows : cols;
            int out = ta ? cols : rows;
            Tensor a = rand(r, -1f, 1f, rows, cols);
            Tensor x = rand(r, -1f, 1f, in);
            Tensor y0 = beta == 0f ? Tensor.zeros(out).fill(Float.NaN) : rand(r, -1f, 1f, out);
            Tensor yg = y0.copy();
            Tensor yc = y0.copy();
            gpu.gemv(ta, alpha, a, x, beta, yg);
            CpuBackend cpu = CpuBackend.instance();
            cpu.gemv(ta, alpha, a, x, beta, yc);
            Tensor bound = Tensor.zeros(out);
            cpu.gemv(ta, Math.abs(alpha), abs(a), abs(x), 0f, bound);
            float[] tol = bound.toArray();
            for (int i = 0; i < tol.length; i++) {
                float extra = beta == 0f ? 0f : Math.abs(beta * y0.at(i));
                tol[i] = 2.4e-7f * (in + 2) * (tol[i] + extra) + 1e-30f;
            }
            return new Check().compare(yg.toArray(), yc.toArray(), tol).result(kernel, shape);
        });
    }

    // ---- element-wise ----

    private static void activationCases(List<Case> cases) {
        Activation[] fs = {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU};
        for (Activation f : fs) {
            for (int n : new int[] {1, 1000, 65537}) {
                String name = f.spec();
                cases.add(new Case(name + " forward", "" + n, gpu -> {
                    Random r = new Random(n + f.kind().ordinal());
                    Tensor x = rand(r, -8f, 8f, n);
                    Tensor yg = Tensor.zeros(n).fill(Float.NaN);
                    Tensor yc = Tensor.zeros(n);
                    gpu.activate(f, x, yg);
                    CpuBackend.instance().activate(f, x, yc);
                    return new Check().compare(yg.toArray(), yc.toArray(), 1e-6, 1e-5).result(name + " forward", "" + n);
                }));
                cases.add(new Case(name + " backward", "" + n, gpu -> {
                    Random r = new Random(n + 100 + f.kind().ordinal());
                    Tensor x = rand(r, -8f, 8f, n);
                    Tensor y = Tensor.zeros(n);
                    CpuBackend.instance().activate(f, x, y);
                    Tensor gy = rand(r, -1f, 1f, n);
                    Tensor gg = Tensor.zeros(n).fill(Float.NaN);
                    Tensor gc = Tensor.zeros(n);
                    gpu.activateBackward(f, x, y, gy, gg);
                    CpuBackend.instance().activateBackward(f, x, y, gy, gc);
                    return new Check().compare(gg.toArray(), gc.toArray(), 1e-6, 1e-5).result(name + " backward", "" + n);
                }));
            }
        }
        for (int[] s : new int[][] {{1, 1}, {7, 13}, {1000, 257}}) {
            String shape = s[0] + "x" + s[1];
            cases.add(new Case("addBias", shape, gpu -> {
                Random r = new Random(s[0] * 31L + s[1]);
                Tensor x = rand(r, -1f, 1f, s[0], s[1]);
                Tensor bias = rand(r, -1f, 1f, s[1]);
                Tensor xg = x.copy();
                Tensor xc = x.copy();
                gpu.addBias(xg, bias);
                CpuBackend.instance().addBias(xc, bias);
                return new Check().compare(xg.toArray(), xc.toArray(), 1e-7, 1e-6).result("addBias", shape);
            }));
        }
    }

    private static void softmaxCases(List<Case> cases) {
        int[][] shapes = {{1, 1}, {3, 5}, {64, 10}, {17, 1000}, {2, 5000}, {300, 33}};
        for (int[] s : shapes) {
            String shape = s[0] + "x" + s[1] + " logits*20";
            cases.add(new Case("softmax", shape, gpu -> {
                Tensor x = rand(new Random(s[0] * 7L + s[1]), -20f, 20f, s[0], s[1]);
                Tensor yg = Tensor.zeros(s[0], s[1]).fill(Float.NaN);
                Tensor yc = Tensor.zeros(s[0], s[1]);
                gpu.softmax(x, yg);
                CpuBackend.instance().softmax(x, yc);
                return new Check().compare(yg.toArray(), yc.toArray(), 1e-7, 1e-5).result("softmax", shape);
            }));
            cases.add(new Case("logSoftmax", shape, gpu -> {
                Tensor x = rand(new Random(s[0] * 11L + s[1]), -20f, 20f, s[0], s[1]);
                Tensor yg = Tensor.zeros(s[0], s[1]).fill(Float.NaN);
                Tensor yc = Tensor.zeros(s[0], s[1]);
                gpu.logSoftmax(x, yg);
                CpuBackend.instance().logSoftmax(x, yc);
                return new Check().compare(yg.toArray(), yc.toArray(), 1e-5, 1e-5).result("logSoftmax", shape);
            }));
        }
        for (int[] s : new int[][] {{1, 1}, {4, 10}, {64, 10}, {3, 1000}, {33, 257}}) {
            for (boolean withGrad : new boolean[] {true, false}) {
                String kernel = "softmaxCrossEntropy" + (withGrad ? "+grad" : "");
                String shape = s[0] + "x" + s[1];
                cases.add(new Case(kernel, shape, gpu -> {
                    Random r = new Random(s[0] * 13L + s[1]);
                    Tensor x = rand(r, -5f, 5f, s[0], s[1]);
                    int[] labels = new int[s[0] + 2];   // longer than needed: only the first N count
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = r.nextInt(s[1]);
                    }
                    Tensor gg = withGrad ? Tensor.zeros(s[0], s[1]).fill(Float.NaN) : null;
                    Tensor gc = withGrad ? Tensor.zeros(s[0], s[1]) : null;
                    float lg = gpu.softmaxCrossEntropy(x, labels, gg);
                    float lc = CpuBackend.instance().softmaxCrossEntropy(x, labels, gc);
                    Check check = new Check().compare(new float[] {lg}, new float[] {lc}, 1e-6, 1e-5);
                    if (withGrad) {
                        // p/N - 1/N at the label cancels: allow a few ulps of 1/N absolute
                        check.compare(gg.toArray(), gc.toArray(), 1e-6 / s[0], 1e-5);
                    }
                    return check.result(kernel, shape);
                }));
            }
        }
    }

    // ---- recurrent cells ----

    private static void recurrentCases(List<Case> cases) {
        int[][] shapes = {{1, 1}, {3, 5}, {64, 128}, {1024, 256}};
        for (int[] s : shapes) {
            int b = s[0];
            int h = s[1];
            String shape = "B=" + b + " H=" + h;
            for (boolean keepTanh : new boolean[] {true, false}) {
                String kernel = "lstmForward" + (keepTanh ? "+tanhC" : "");
                cases.add(new Case(kernel, shape, gpu -> {
                    Random r = new Random(b * 101L + h);
                    Tensor gates = rand(r, -4f, 4f, b, 4 * h);
                    Tensor cPrev = rand(r, -2f, 2f, b, h);
                    Tensor[] g = lstmOutputs(b, h, keepTanh);
                    Tensor[] c = lstmOutputs(b, h, keepTanh);
                    Tensor gatesG = gates.copy();
                    Tensor gatesC = gates.copy();
                    gpu.lstmForward(gatesG, cPrev, g[0], g[1], g[2]);
                    CpuBackend.instance().lstmForward(gatesC, cPrev, c[0], c[1], c[2]);
                    Check check = new Check().compare(gatesG.toArray(), gatesC.toArray(), 2e-6, 1e-5)
                            .compare(g[0].toArray(), c[0].toArray(), 2e-6, 1e-5)
                            .compare(g[1].toArray(), c[1].toArray(), 2e-6, 1e-5);
                    if (keepTanh) {
                        check.compare(g[2].toArray(), c[2].toArray(), 2e-6, 1e-5);
                    }
                    return check.result(kernel, shape);
                }));
            }
            cases.add(new Case("lstmBackward", shape, gpu -> {
                Random r = new Random(b * 103L + h);
                Tensor acts = rand(r, 0.01f, 0.99f, b, 4 * h);
                for (int row = 0; row < b; row++) {   // the g gate is a tanh: (-1, 1)
                    for (int j = 0; j < h; j++) {
                        acts.set(2f * acts.get(row, 2 * h + j) - 1f, row, 2 * h + j);
                    }
                }
                Tensor cPrev = rand(r, -2f, 2f, b, h);
                Tensor tanhC = rand(r, -0.99f, 0.99f, b, h);
                Tensor dh = rand(r, -1f, 1f, b, h);
                Tensor dc = rand(r, -1f, 1f, b, h);
                Tensor dcG = dc.copy();
                Tensor dcC = dc.copy();
                Tensor dgG = Tensor.zeros(b, 4 * h).fill(Float.NaN);
                Tensor dgC = Tensor.zeros(b, 4 * h);
                gpu.lstmBackward(acts, cPrev, tanhC, dh, dcG, dgG);
                CpuBackend.instance().lstmBackward(acts, cPrev, tanhC, dh, dcC, dgC);
                return new Check().compare(dgG.toArray(), dgC.toArray(), 1e-6, 1e-5)
                        .compare(dcG.toArray(), dcC.toArray(), 1e-6, 1e-5).result("lstmBackward", shape);
            }));
            cases.add(new Case("gruForward", shape, gpu -> {
                Random r = new Random(b * 107L + h);
                Tensor gx = rand(r, -3f, 3f, b, 3 * h);
                Tensor gh = rand(r, -3f, 3f, b, 3 * h);
                Tensor hPrev = rand(r, -1f, 1f, b, h);
                Tensor gxG = gx.copy();
                Tensor gxC = gx.copy();
                Tensor hG = Tensor.zeros(b, h).fill(Float.NaN);
                Tensor hC = Tensor.zeros(b, h);
                gpu.gruForward(gxG, gh, hPrev, hG);
                CpuBackend.instance().gruForward(gxC, gh, hPrev, hC);
                return new Check().compare(gxG.toArray(), gxC.toArray(), 2e-6, 1e-5)
                        .compare(hG.toArray(), hC.toArray(), 2e-6, 1e-5).result("gruForward", shape);
            }));
            cases.add(new Case("gruBackward", shape, gpu -> {
                Random r = new Random(b * 109L + h);
                Tensor acts = rand(r, 0.01f, 0.99f, b, 3 * h);
                for (int row = 0; row < b; row++) {   // the n gate is a tanh: (-1, 1)
                    for (int j = 0; j < h; j++) {
                        acts.set(2f * acts.get(row, 2 * h + j) - 1f, row, 2 * h + j);
                    }
                }
                Tensor gh = rand(r, -3f, 3f, b, 3 * h);
                Tensor hPrev = rand(r, -1f, 1f, b, h);
                Tensor dh = rand(r, -1f, 1f, b, h);
                Tensor[] g = {Tensor.zeros(b, 3 * h).fill(Float.NaN), Tensor.zeros(b, 3 * h).fill(Float.NaN),
                        Tensor.zeros(b, h).fill(Float.NaN)};
                Tensor[] c = {Tensor.zeros(b, 3 * h), Tensor.zeros(b, 3 * h), Tensor.zeros(b, h)};
                gpu.gruBackward(acts, gh, hPrev, dh, g[0], g[1], g[2]);
                CpuBackend.instance().gruBackward(acts, gh, hPrev, dh, c[0], c[1], c[2]);
                Check check = new Check();
                for (int i = 0; i < 3; i++) {
                    check.compare(g[i].toArray(), c[i].toArray(), 1e-6, 1e-5);
                }
                return check.result("gruBackward", shape);
            }));
        }
    }

    private static Tensor[] lstmOutputs(int b, int h, boolean keepTanh) {
        return new Tensor[] {Tensor.zeros(b, h).fill(Float.NaN), Tensor.zeros(b, h).fill(Float.NaN),
                keepTanh ? Tensor.zeros(b, h).fill(Float.NaN) : null};
    }

    // ---- convolution helpers and pooling ----

    private static void convCases(List<Case> cases) {
        ConvGeometry[] geos = {
                ConvGeometry.square(1, 28, 28, 5, 1, 2),
                ConvGeometry.square(3, 7, 9, 3, 2, 1),
                new ConvGeometry(2, 5, 5, 2, 3, 1, 2, 0, 1),
                ConvGeometry.square(6, 14, 14, 5, 1, 0)};
        for (ConvGeometry g : geos) {
            String shape = "C" + g.channels() + " " + g.height() + "x" + g.width() + " k" + g.kernelH() + "x" + g.kernelW()
                    + " s" + g.strideH() + "x" + g.strideW() + " p" + g.padH() + "x" + g.padW();
            int imageSize = g.channels() * g.height() * g.width();
            int colsSize = g.patchSize() * g.outH() * g.outW();
            cases.add(new Case("im2col", shape, gpu -> {
                Tensor image = rand(new Random(imageSize), -1f, 1f, g.channels(), g.height(), g.width());
                Tensor cg = Tensor.zeros(g.patchSize(), g.outH() * g.outW()).fill(Float.NaN);
                Tensor cc = Tensor.zeros(g.patchSize(), g.outH() * g.outW());
                gpu.im2col(image, g, cg);
                CpuBackend.instance().im2col(image, g, cc);
                return new Check().compare(cg.toArray(), cc.toArray(), 0, 0).result("im2col", shape);
            }));
            cases.add(new Case("col2im", shape, gpu -> {
                Random r = new Random(colsSize);
                Tensor cols = rand(r, -1f, 1f, g.patchSize(), g.outH() * g.outW());
                Tensor image = rand(r, -1f, 1f, g.channels(), g.height(), g.width());
                Tensor ig = image.copy();
                Tensor ic = image.copy();
                gpu.col2im(cols, g, ig);
                CpuBackend.instance().col2im(cols, g, ic);
                return new Check().compare(ig.toArray(), ic.toArray(), 1e-5, 1e-5).result("col2im", shape);
            }));
        }
        int[][] pools = {{2, 3, 8, 8, 2, 2}, {1, 2, 7, 9, 3, 2}, {4, 6, 28, 28, 2, 2}, {3, 1, 5, 6, 3, 1}};
        for (int[] p : pools) {
            PoolGeometry g = PoolGeometry.square(p[4], p[5]);
            String shape = p[0] + "x" + p[1] + "x" + p[2] + "x" + p[3] + " w" + p[4] + " s" + p[5];
            int oh = g.outH(p[2]);
            int ow = g.outW(p[3]);
            cases.add(new Case("maxPool", shape, gpu -> {
                Tensor in = rand(new Random(p[2] * 7L + p[3]), -1f, 1f, p[0], p[1], p[2], p[3]);
                Tensor og = Tensor.zeros(p[0], p[1], oh, ow).fill(Float.NaN);
                Tensor oc = Tensor.zeros(p[0], p[1], oh, ow);
                int[] ag = new int[og.size()];
                int[] ac = new int[oc.size()];
                gpu.maxPool(in, g, og, ag);
                CpuBackend.instance().maxPool(in, g, oc, ac);
                return new Check().compare(og.toArray(), oc.toArray(), 0, 0).compareExact(ag, ac).result("maxPool", shape);
            }));
            cases.add(new Case("maxPoolBackward", shape, gpu -> {
                Random r = new Random(p[2] * 11L + p[3]);
                Tensor in = rand(r, -1f, 1f, p[0], p[1], p[2], p[3]);
                Tensor out = Tensor.zeros(p[0], p[1], oh, ow);
                int[] argmax = new int[out.size()];
                CpuBackend.instance().maxPool(in, g, out, argmax);
                Tensor gradOut = rand(r, -1f, 1f, p[0], p[1], oh, ow);
                Tensor gradIn = rand(r, -1f, 1f, p[0], p[1], p[2], p[3]);
                Tensor gg = gradIn.copy();
                Tensor gc = gradIn.copy();
                gpu.maxPoolBackward(gradOut, argmax, gg);
                CpuBackend.instance().maxPoolBackward(gradOut, argmax, gc);
                return new Check().compare(gg.toArray(), gc.toArray(), 1e-6, 1e-5).result("maxPoolBackward", shape);
            }));
        }
    }

    // ---- the batched lowering, the conv output pass, average pooling ----

    private static void batchConvCases(List<Case> cases) {
        ConvGeometry[] geos = {ConvGeometry.square(1, 28, 28, 5, 1, 2), ConvGeometry.square(16, 14, 14, 3, 2, 1),
                ConvGeometry.square(6, 14, 14, 5, 1, 0)};
        for (ConvGeometry g : geos) {
            for (int n : new int[] {1, 5}) {
                String shape = n + "x C" + g.channels() + " " + g.height() + "x" + g.width() + " k" + g.kernelH() + " s"
                        + g.strideH() + " p" + g.padH();
                cases.add(new Case("im2colBatch", shape, gpu -> {
                    Tensor images = rand(new Random(n * 13L + g.channels()), -1f, 1f, n, g.channels(), g.height(),
                            g.width());
                    int width = n * g.outH() * g.outW();
                    Tensor cg = Tensor.zeros(g.patchSize(), width).fill(Float.NaN);
                    Tensor cc = Tensor.zeros(g.patchSize(), width);
                    gpu.im2colBatch(images, g, cg);
                    CpuBackend.instance().im2colBatch(images, g, cc);
                    return new Check().compare(cg.toArray(), cc.toArray(), 0, 0).result("im2colBatch", shape);
                }));
            }
        }
        int[][] outs = {{6, 3, 25}, {16, 1, 196}, {64, 7, 49}};
        for (int[] o : outs) {
            for (int mode = 0; mode < 4; mode++) {
                int m = mode;
                boolean withShift = (m & 1) != 0;
                boolean withResidual = (m & 2) != 0;
                String shape = "F" + o[0] + " N" + o[1] + " S" + o[2] + (withShift ? " shift" : "")
                        + (withResidual ? " residual" : "") + " relu";
                cases.add(new Case("convOutput", shape, gpu -> {
                    Random r = new Random(o[0] * 7L + o[1] + m);
                    Tensor x = rand(r, -1f, 1f, o[0], o[1], o[2]);
                    Tensor shift = withShift ? rand(r, -0.5f, 0.5f, o[0]) : null;
                    Tensor res = withResidual ? rand(r, -1f, 1f, o[1], o[0], o[2]) : null;
                    Tensor og = Tensor.zeros(o[1], o[0], o[2]).fill(Float.NaN);
                    Tensor oc = Tensor.zeros(o[1], o[0], o[2]);
                    gpu.convOutput(x, shift, res, Activation.RELU, og);
                    CpuBackend.instance().convOutput(x, shift, res, Activation.RELU, oc);
                    return new Check().compare(og.toArray(), oc.toArray(), 0, 0).result("convOutput", shape);
                }));
            }
        }
        cases.add(new Case("swapLeadingAxes", "8x5x9", gpu -> {
            Tensor x = rand(new Random(3), -1f, 1f, 8, 5, 9);
            Tensor og = Tensor.zeros(5, 8, 9).fill(Float.NaN);
            Tensor oc = Tensor.zeros(5, 8, 9);
            gpu.swapLeadingAxes(x, og);
            CpuBackend.instance().swapLeadingAxes(x, oc);
            return new Check().compare(og.toArray(), oc.toArray(), 0, 0).result("swapLeadingAxes", "8x5x9");
        }));
        int[][] pools = {{2, 64, 7, 7, 7, 7}, {3, 4, 6, 6, 2, 2}};
        for (int[] p : pools) {
            PoolGeometry g = PoolGeometry.square(p[4], p[5]);
            String shape = p[0] + "x" + p[1] + "x" + p[2] + "x" + p[3] + " w" + p[4] + " s" + p[5];
            cases.add(new Case("avgPool", shape, gpu -> {
                Tensor in = rand(new Random(p[1] * 5L), -1f, 1f, p[0], p[1], p[2], p[3]);
                Tensor og = Tensor.zeros(p[0], p[1], g.outH(p[2]), g.outW(p[3])).fill(Float.NaN);
                Tensor oc = Tensor.zeros(p[0], p[1], g.outH(p[2]), g.outW(p[3]));
                gpu.avgPool(in, g, og);
                CpuBackend.instance().avgPool(in, g, oc);
                return new Check().compare(og.toArray(), oc.toArray(), 1e-6, 1e-5).result("avgPool", shape);
            }));
        }
    }

    // ---- a resident run: a chain of operations on device copies, against the same chain on the CPU ----

    private static void residentCases(List<Case> cases) {
        for (int b : new int[] {1, 7, 64}) {
            String shape = "B" + b + " x(B,12) W(12,40) h(B,10) views";
            cases.add(new Case("resident LSTM step", shape, gpu -> {
                Random r = new Random(b);
                Tensor w = rand(r, -0.5f, 0.5f, 12, 40);
                Tensor bias = rand(r, -0.1f, 0.1f, 40);
                Tensor head = rand(r, -0.5f, 0.5f, 10, 3);
                Tensor x = rand(r, -1f, 1f, b, 12);
                Tensor c = rand(r, -1f, 1f, b, 10);
                // the states are row views of larger arrays, as in a StateBatch
                float[] hostOut = new float[3 * 64 * 10];
                float[] gpuOut = hostOut.clone();
                float[] probsC = new float[64 * 3];
                float[] probsG = probsC.clone();
                residentChain(CpuBackend.instance(), w, bias, head, x, c, hostOut, probsC, b);
                try (io.streamnet.engine.backend.Residency res = gpu.residency(List.of(w, bias, head))) {
                    res.run(scope -> {
                        residentChain(gpu, w, bias, head, x, c, gpuOut, probsG, b);
                        scope.keep(Tensor.view(gpuOut, 64 * 10, b, 10));
                        scope.keep(Tensor.view(probsG, 0, b, 3));
                    });
                }
                float[] hc = java.util.Arrays.copyOfRange(hostOut, 640, 640 + b * 10);
                float[] hg = java.util.Arrays.copyOfRange(gpuOut, 640, 640 + b * 10);
                float[] pc = java.util.Arrays.copyOfRange(probsC, 0, b * 3);
                float[] pg = java.util.Arrays.copyOfRange(probsG, 0, b * 3);
                return new Check().compare(hg, hc, 1e-5, 1e-4).compare(pg, pc, 1e-5, 1e-4)
                        .result("resident LSTM step", shape);
            }));
        }
    }

    /** gates = x W + b; LSTM cell; probs = softmax(h head): the buffers as views into shared arrays. */
    private static void residentChain(Backend be, Tensor w, Tensor bias, Tensor head, Tensor x, Tensor c, float[] states,
                                      float[] probs, int b) {
        Tensor gates = Tensor.zeros(b, 40);
        be.gemm(false, false, 1f, x, w, 0f, gates);
        be.addBias(gates, bias);
        Tensor cOut = Tensor.view(states, 0, b, 10);
        Tensor hOut = Tensor.view(states, 64 * 10, b, 10);
        be.lstmForward(gates, c, cOut, hOut, null);
        Tensor logits = Tensor.view(states, 2 * 64 * 10, b, 3);
        be.gemm(false, false, 1f, hOut, head, 0f, logits);
        be.softmax(logits, Tensor.view(probs, 0, b, 3));
    }

    // ---- helpers ----

    static Tensor rand(Random r, float lo, float hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * r.nextFloat();
        }
        return t;
    }

    private static Tensor abs(Tensor t) {
        float[] d = t.toArray();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(d[i]);
        }
        return Tensor.wrap(d, t.shape());
    }

    /** Accumulates the worst errors of one or more output arrays. */
    static final class Check {
        private double maxAbs;
        private double maxRel;
        private double worst;
        private String error;

        /** Element-wise against {@code atol + rtol |cpu|}. */
        Check compare(float[] gpu, float[] cpu, double atol, double rtol) {
            float[] tol = new float[cpu.length];
            for (int i = 0; i < tol.length; i++) {
                tol[i] = (float) (atol + rtol * Math.abs(cpu[i]));
            }
            return compare(gpu, cpu, tol);
        }

        /** Element-wise against a tolerance per element (0 means exact equality). */
        Check compare(float[] gpu, float[] cpu, float[] tol) {
            if (gpu.length != cpu.length) {
                error = "length " + gpu.length + " vs " + cpu.length;
                return this;
            }
            double scale = 0;
            for (float v : cpu) {
                if (Float.isFinite(v)) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            double floor = Math.max(scale * 1e-3, 1e-30);
            for (int i = 0; i < gpu.length; i++) {
                float g = gpu[i];
                float c = cpu[i];
                if (Float.isNaN(g) && Float.isNaN(c) || g == c) {
                    continue;
                }
                double d = Math.abs((double) g - c);
                if (!Double.isFinite(d)) {
                    worst = Double.POSITIVE_INFINITY;
                    if (error == null) {
                        error = "element " + i + ": gpu " + g + " cpu " + c;
                    }
                    continue;
                }
                maxAbs = Math.max(maxAbs, d);
                maxRel = Math.max(maxRel, d / Math.max(Math.abs(c), floor));
                worst = Math.max(worst, tol[i] == 0f ? Double.POSITIVE_INFINITY : d / tol[i]);
            }
            return this;
        }

        Check compareExact(int[] gpu, int[] cpu) {
            int bad = 0;
            int first = -1;
            for (int i = 0; i < Math.min(gpu.length, cpu.length); i++) {
                if (gpu[i] != cpu[i]) {
                    bad++;
                    if (first < 0) {
                        first = i;
                    }
                }
            }
            if (bad > 0 && error == null) {
                error = bad + " indices differ, first at " + first + ": gpu " + gpu[first] + " cpu " + cpu[first];
                worst = Double.POSITIVE_INFINITY;
            }
            return this;
        }

        Result result(String kernel, String shape) {
            return new Result(kernel, shape, maxAbs, maxRel, worst, error);
        }
    }
}
