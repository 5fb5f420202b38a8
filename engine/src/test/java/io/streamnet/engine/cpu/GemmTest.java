package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import java.util.stream.Stream;

class GemmTest {
    private final CpuBackend cpu = CpuBackend.instance();

    /** Shapes that hit edge tiles, several KC and NC blocks, the small-M path and degenerate sizes. */
    static Stream<Arguments> shapes() {
        int[][] mnk = {{1, 1, 1}, {1, 300, 257}, {3, 17, 9}, {4, 64, 64}, {5, 33, 70}, {6, 16, 8}, {7, 13, 5},
                {67, 129, 300}, {100, 1030, 20}, {130, 40, 513}, {0, 5, 3}, {5, 4, 0}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] s : mnk) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    b.add(Arguments.of(s[0], s[1], s[2], ta, tb));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("shapes")
    void gemmMatchesADoubleReference(int m, int n, int k, boolean ta, boolean tb) {
        Random rng = new Random(m * 31L + n * 7L + k);
        Tensor a = random(rng, ta ? k : m, ta ? m : k);
        Tensor b = random(rng, tb ? n : k, tb ? k : n);
        Tensor c = random(rng, m, n);
        double[] expect = reference(a, b, c, ta, tb, m, n, k, 0.5, -1.5);
        cpu.gemm(ta, tb, 0.5f, a, b, -1.5f, c);
        assertClose(c.toArray(), expect, k);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector4x16", "vector8x32"})
    void everyMicroKernelAgreesWithTheReference(String name) {
        // The 512-bit kernel is checked on any CPU: without AVX-512 the Vector API emulates it, slowly but exactly.
        assumeTrue(name.equals("scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector not enabled in this JVM: " + name + " micro-kernel not checked");
        MicroKernel kernel = kernel(name);
        Random rng = new Random(1);
        // Sizes that leave edge tiles for every tile shape and cross a KC block; m = 3 takes the small-M path.
        int n = 75;
        int k = 301;
        for (int m : new int[] {53, 3})
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = random(rng, ta ? k : m, ta ? m : k);
                Tensor b = random(rng, tb ? n : k, tb ? k : n);
                Tensor c = random(rng, m, n);
                double[] expect = reference(a, b, c, ta, tb, m, n, k, 0.5, 2);
                new PackedGemm(kernel).gemm(ta, tb, m, n, k, 0.5f, a.data(), 0, ta ? m : k, b.data(), 0, tb ? k : n,
                        2f, c.data(), 0, n);
                assertClose(c.toArray(), expect, k);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector4x16", "vector8x32"})
    void aRowComesOutBitIdenticalAloneOrInsideABatch(String name) {
        // Mini-batching across keys must not change any key's answer.
        assumeTrue(name.equals("scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector not enabled in this JVM: " + name + " micro-kernel not checked");
        Random rng = new Random(9);
        int n = 83;
        int k = 530;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                PackedGemm gemm = new PackedGemm(kernel(name));
                int m = 37;
                Tensor a = random(rng, ta ? k : m, ta ? m : k);
                Tensor b = random(rng, tb ? n : k, tb ? k : n);
                Tensor batch = Tensor.zeros(m, n);
                gemm.gemm(ta, tb, m, n, k, 0.7f, a.data(), 0, ta ? m : k, b.data(), 0, tb ? k : n, 0f, batch.data(), 0, n);
                for (int i : new int[] {0, 5, 36}) {
                    Tensor row = Tensor.zeros(1, k);
                    for (int p = 0; p < k; p++) {
                        row.put(p, ta ? a.at(p * m + i) : a.at(i * k + p));
                    }
                    Tensor alone = Tensor.zeros(1, n);
                    gemm.gemm(false, tb, 1, n, k, 0.7f, row.data(), 0, k, b.data(), 0, tb ? k : n, 0f, alone.data(), 0, n);
                    assertThat(alone.toArray()).as("row %d transA=%s transB=%s", i, ta, tb)
                            .containsExactly(batch.row(i).toArray());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector4x16", "vector8x32"})
    void readingBInPlaceGivesThePackedPathsBits(String name) {
        // Up to DIRECT_B_MAX_M rows B is read in place, above it packed: a row's answer must not change.
        assumeTrue(name.equals("scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector not enabled in this JVM: " + name + " micro-kernel not checked");
        Random rng = new Random(4);
        int m = PackedGemm.DIRECT_B_MAX_M + 1;
        int n = 70;
        int k = 300;
        PackedGemm gemm = new PackedGemm(kernel(name));
        Tensor a = random(rng, m, k);
        Tensor b = random(rng, k, n);
        Tensor packed = Tensor.zeros(m, n);
        gemm.gemm(false, false, m, n, k, 1f, a.data(), 0, k, b.data(), 0, n, 0f, packed.data(), 0, n);
        Tensor direct = Tensor.zeros(m - 1, n);
        gemm.gemm(false, false, m - 1, n, k, 1f, a.data(), 0, k, b.data(), 0, n, 0f, direct.data(), 0, n);
        for (int i = 0; i < m - 1; i++) {
            assertThat(direct.row(i).toArray()).as("row %d", i).containsExactly(packed.row(i).toArray());
        }
    }

    private static MicroKernel kernel(String name) {
        return switch (name) {
            case "scalar" -> new ScalarMicroKernel();
            case "vector4x16" -> new Vector4x16MicroKernel();
            default -> new Vector8x32MicroKernel();
        };
    }

    @Test
    void betaZeroIgnoresNaNsAlreadyInC() {
        Tensor a = Tensor.wrap(new float[] {1, 2}, 1, 2);
        Tensor b = Tensor.wrap(new float[] {3, 4}, 2, 1);
        Tensor c = Tensor.wrap(new float[] {Float.NaN}, 1, 1);
        cpu.gemm(false, false, 1f, a, b, 0f, c);
        assertThat(c.at(0)).isEqualTo(11f);
    }

    @Test
    void gemmOperatesOnViewsWithOffsets() {
        Tensor big = Tensor.wrap(new float[] {9, 9, 1, 2, 3, 4}, 3, 2);
        Tensor a = big.slice(1, 3);
        Tensor id = Tensor.wrap(new float[] {1, 0, 0, 1}, 2, 2);
        Tensor c = Tensor.zeros(2, 2);
        cpu.gemm(false, false, 1f, a, id, 0f, c);
        assertThat(c.toArray()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void batchedGemmMultipliesEachBatchEntry() {
        Random rng = new Random(3);
        Tensor a = random(rng, 3, 4, 5);
        Tensor b = random(rng, 3, 5, 6);
        Tensor c = Tensor.zeros(3, 4, 6);
        cpu.gemm(false, false, 1f, a, b, 0f, c);
        for (int i = 0; i < 3; i++) {
            double[] expect = reference(a.row(i), b.row(i), Tensor.zeros(4, 6), false, false, 4, 6, 5, 1, 0);
            assertClose(c.row(i).toArray(), expect, 5);
        }
    }

    @Test
    void innerDimensionMismatchNamesTheShapes() {
        assertThatThrownBy(() -> cpu.gemm(false, false, 1f, Tensor.zeros(2, 3), Tensor.zeros(4, 5), 0f, Tensor.zeros(2, 5)))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("[4, 5]");
    }

    @Test
    void gemvMatchesGemmInBothOrientations() {
        Random rng = new Random(4);
        Tensor a = random(rng, 7, 5);
        Tensor x = random(rng, 5);
        Tensor y = Tensor.zeros(7);
        cpu.gemv(false, 1f, a, x, 0f, y);
        Tensor yRef = Tensor.zeros(7, 1);
        cpu.gemm(false, false, 1f, a, x.reshape(5, 1), 0f, yRef);
        assertClose(y.toArray(), toDouble(yRef.toArray()), 5);
        Tensor x2 = random(rng, 7);
        Tensor y2 = Tensor.zeros(5);
        cpu.gemv(true, 1f, a, x2, 0f, y2);
        Tensor y2Ref = Tensor.zeros(1, 5);
        cpu.gemm(false, false, 1f, x2.reshape(1, 7), a, 0f, y2Ref);
        assertClose(y2.toArray(), toDouble(y2Ref.toArray()), 7);
    }

    static Tensor random(Random rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.put(i, (float) (rng.nextDouble() * 2 - 1));
        }
        return t;
    }

    static double[] reference(Tensor a, Tensor b, Tensor c, boolean ta, boolean tb, int m, int n, int k,
                              double alpha, double beta) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a.at(p * m + i) : a.at(i * k + p);
                    double bv = tb ? b.at(j * k + p) : b.at(p * n + j);
                    s += av * bv;
                }
                out[i * n + j] = alpha * s + beta * c.at(i * n + j);
            }
        }
        return out;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static void assertClose(float[] got, double[] expect, int k) {
        assertThat(got).hasSize(expect.length);
        double tol = 1e-5 * Math.max(1, k) + 1e-5;
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("element %d", i).isCloseTo(expect[i], org.assertj.core.data.Offset.offset(tol));
        }
    }
}
