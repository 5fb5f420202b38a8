package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamnet.engine.backend.ConvGeometry;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The implicit-gemm convolution and its backward, with every micro-kernel, against direct float64 sums. */
class ImplicitConvTest {
    /** C, F, k, stride, pad, H, W, N: unit and larger strides, edge tiles in filters and columns. */
    private static final int[][] GEOMETRIES = {
            {1, 6, 5, 1, 2, 28, 28, 2}, {16, 32, 3, 2, 1, 14, 14, 2}, {3, 7, 3, 3, 1, 10, 11, 1},
            {4, 5, 1, 2, 0, 6, 6, 3}, {2, 9, 4, 1, 2, 5, 7, 2}, {30, 3, 3, 1, 1, 6, 6, 1}};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector4x16", "vector8x32"})
    void everyMicroKernelConvolvesLikeTheDirectSum(String name) {
        assumeTrue(name.equals("scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector not enabled in this JVM: " + name + " micro-kernel not checked");
        MicroKernel kernel = kernel(name);
        // One instance through every geometry: its buffers are reused and re-zeroed as the geometry changes.
        ImplicitConv conv = new ImplicitConv(new PackedGemm(kernel));
        Random rng = new Random(3);
        for (int[] t : GEOMETRIES) {
            ConvGeometry g = ConvGeometry.square(t[0], t[5], t[6], t[2], t[3], t[4]);
            int f = t[1];
            int n = t[7];
            float[] x = random(rng, n * g.channels() * g.height() * g.width());
            float[] w = random(rng, f * g.patchSize());
            float[] shift = random(rng, f);
            int outSize = n * f * g.outH() * g.outW();
            float[] res = random(rng, outSize);
            float[] out = new float[outSize + 3];
            conv.convolve(x, 0, n, g, w, 0, f, shift, 0, res, 0, true, out, 3);
            double[] want = direct(x, n, g, w, f);
            for (int i = 0; i < outSize; i++) {
                int ch = i / (g.outH() * g.outW()) % f;
                double v = Math.max(0, want[i] + shift[ch] + res[i]);
                assertThat((double) out[3 + i]).as("%s geometry %s output %d", name, g, i)
                        .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(v))));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector4x16", "vector8x32"})
    void everyMicroKernelDifferentiatesLikeTheDirectSums(String name) {
        assumeTrue(name.equals("scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector not enabled in this JVM: " + name + " micro-kernel not checked");
        MicroKernel kernel = kernel(name);
        ImplicitConv conv = new ImplicitConv(new PackedGemm(kernel));
        Random rng = new Random(5);
        for (int[] t : GEOMETRIES) {
            ConvGeometry g = ConvGeometry.square(t[0], t[5], t[6], t[2], t[3], t[4]);
            int f = t[1];
            int n = t[7];
            int image = g.channels() * g.height() * g.width();
            int plane = g.outH() * g.outW();
            float[] x = random(rng, n * image);
            float[] w = random(rng, f * g.patchSize());
            float[] gy = random(rng, n * f * plane);
            float[] dw = random(rng, f * g.patchSize()); // accumulated into
            float[] dw0 = dw.clone();
            float[] dx = random(rng, n * image); // overwritten
            conv.backward(x, 0, n, g, w, 0, f, gy, 0, dw, 0, dx, 0);
            double[] wantDw = new double[dw.length];
            double[] wantDx = new double[dx.length];
            // y[i,o,yy,xx] = sum w[o,c,ki,kj] x[i,c,iy,ix]: each term's two partial derivatives.
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < f; o++) {
                    for (int yy = 0; yy < g.outH(); yy++) {
                        for (int xx = 0; xx < g.outW(); xx++) {
                            double gv = gy[(i * f + o) * plane + yy * g.outW() + xx];
                            for (int c = 0; c < g.channels(); c++) {
                                for (int ki = 0; ki < g.kernelH(); ki++) {
                                    for (int kj = 0; kj < g.kernelW(); kj++) {
                                        int iy = yy * g.strideH() - g.padH() + ki;
                                        int ix = xx * g.strideW() - g.padW() + kj;
                                        if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                            int wi = ((o * g.channels() + c) * g.kernelH() + ki) * g.kernelW() + kj;
                                            int xi = i * image + (c * g.height() + iy) * g.width() + ix;
                                            wantDw[wi] += gv * x[xi];
                                            wantDx[xi] += gv * w[wi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < dw.length; i++) {
                double v = dw0[i] + wantDw[i];
                assertThat((double) dw[i]).as("%s geometry %s dW %d", name, g, i)
                        .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(v))));
            }
            for (int i = 0; i < dx.length; i++) {
                assertThat((double) dx[i]).as("%s geometry %s dx %d", name, g, i)
                        .isCloseTo(wantDx[i], org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(wantDx[i]))));
            }
        }
    }

    private static MicroKernel kernel(String name) {
        return switch (name) {
            case "scalar" -> new ScalarMicroKernel();
            case "vector4x16" -> new Vector4x16MicroKernel();
            default -> new Vector8x32MicroKernel();
        };
    }

    private static double[] direct(float[] x, int n, ConvGeometry g, float[] w, int f) {
        int oh = g.outH();
        int ow = g.outW();
        double[] y = new double[n * f * oh * ow];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < f; o++) {
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double s = 0;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ki = 0; ki < g.kernelH(); ki++) {
                                for (int kj = 0; kj < g.kernelW(); kj++) {
                                    int iy = yy * g.strideH() - g.padH() + ki;
                                    int ix = xx * g.strideW() - g.padW() + kj;
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        s += (double) w[((o * g.channels() + c) * g.kernelH() + ki) * g.kernelW() + kj]
                                                * x[((i * g.channels() + c) * g.height() + iy) * g.width() + ix];
                                    }
                                }
                            }
                        }
                        y[((i * f + o) * oh + yy) * ow + xx] = s;
                    }
                }
            }
        }
        return y;
    }

    private static float[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextFloat() * 2 - 1;
        }
        return v;
    }
}
