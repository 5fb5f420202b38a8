package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.GradCheck;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every backward pass of cnn-core against central finite differences: input and parameter gradients. */
class LayerGradientTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @ParameterizedTest(name = "conv C={0} F={1} k={2} s={3} p={4} on {5}x{6}, N={7}, bias={8}")
    @CsvSource({
            "2, 3, 3, 1, 1, 5, 5, 2, true",
            "2, 4, 3, 2, 1, 7, 6, 2, true",
            "3, 2, 5, 2, 2, 9, 9, 2, true",
            "1, 3, 5, 1, 0, 8, 8, 3, true",
            "3, 4, 1, 2, 0, 6, 6, 2, false",
            "2, 2, 4, 3, 2, 7, 8, 1, false"})
    void conv2dGradients(int c, int f, int k, int s, int p, int h, int w, int n, boolean bias) {
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "conv", c, f, k, s, p, bias, Initializer.HE_NORMAL);
        Tensor x = GradCheck.random(new Random(2), 1f, n, c, h, w);
        if (bias) {
            Tensor b = conv.bias().value();
            for (int i = 0; i < b.size(); i++) {
                b.put(i, 0.1f * (i + 1));
            }
        }
        GradCheck.checkLayer("conv", conv, x, true, 3, 60);
    }

    @ParameterizedTest(name = "chunked conv C={0} F={1} k={2} s={3} p={4} on {5}x{5}, N={6}")
    @CsvSource({"2, 3, 3, 1, 1, 48, 4", "2, 4, 3, 2, 1, 96, 4"})
    void conv2dGradientsInChunks(int c, int f, int k, int s, int p, int hw, int n) {
        // Images large enough that training runs in chunks: the implicit convolution and its backward.
        Conv2D conv = new Conv2D(cpu, new ParameterStore(3), "conv", c, f, k, s, p, true, Initializer.HE_NORMAL);
        Tensor x = GradCheck.random(new Random(4), 1f, n, c, hw, hw);
        GradCheck.checkLayer("chunked conv", conv, x, true, 5, 40);
    }

    @ParameterizedTest(name = "{0} window {1} stride {2}")
    @CsvSource({"MAX, 2, 2", "MAX, 3, 2", "AVG, 2, 2", "AVG, 3, 2", "AVG, 3, 1"})
    void poolingGradients(Pool2D.Kind kind, int window, int stride) {
        Pool2D pool = new Pool2D(cpu, kind, window, stride);
        // Distinct values 0.01 apart, shuffled: a step of 1e-3 never changes which entry wins a window.
        int n = 2 * 3 * 7 * 7;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2) * 0.01f;
        }
        Random rng = new Random(5);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        GradCheck.checkLayer(kind + " pool", pool, Tensor.wrap(v, 2, 3, 7, 7), true, 6, 100);
    }

    @Test
    void batchNorm2dTrainingGradients() {
        BatchNorm bn = new BatchNorm(new ParameterStore(1), "bn", 3);
        randomize(bn, 7);
        Tensor x = GradCheck.random(new Random(8), 2f, 4, 3, 3, 3);
        GradCheck.checkLayer("bn2d train", bn, x, true, 9, 60);
    }

    @Test
    void batchNorm1dTrainingGradients() {
        BatchNorm bn = new BatchNorm(new ParameterStore(1), "bn", 5);
        randomize(bn, 10);
        Tensor x = GradCheck.random(new Random(11), 1.5f, 6, 5);
        GradCheck.checkLayer("bn1d train", bn, x, true, 12, 60);
    }

    @Test
    void batchNormEvalGradients() {
        BatchNorm bn = new BatchNorm(new ParameterStore(1), "bn", 3);
        randomize(bn, 13);
        for (int c = 0; c < 3; c++) {
            bn.runningMean().put(c, 0.3f * c - 0.2f);
            bn.runningVar().put(c, 0.5f + c);
        }
        Tensor x = GradCheck.random(new Random(14), 1f, 2, 3, 4, 4);
        GradCheck.checkLayer("bn2d eval", bn, x, false, 15, 60);
    }

    @Test
    void residualEvalModeGradients() {
        ResidualBlock block = new ResidualBlock(cpu, new ParameterStore(22), "res", 2, 3, 1);
        Tensor x = GradCheck.random(new Random(23), 1f, 2, 2, 5, 5);
        block.forward(x, true); // moves the running statistics away from 0 / 1
        GradCheck.checkLayer("residual eval", block, x, false, 24, 40);
    }

    @Test
    void flattenIsAViewBothWays() {
        Flatten f = new Flatten();
        Tensor x = GradCheck.random(new Random(25), 1f, 2, 3, 4, 5);
        Tensor y = f.forward(x, true);
        assertThat(y.shape()).containsExactly(2, 60);
        assertThat(y.data()).isSameAs(x.data());
        assertThat(f.forward(x, true)).isSameAs(y);
        GradCheck.checkLayer("flatten", f, x, true, 26, 30);
    }

    private static void randomize(BatchNorm bn, long seed) {
        Random rng = new Random(seed);
        for (int c = 0; c < bn.gamma().value().size(); c++) {
            bn.gamma().value().put(c, 0.5f + rng.nextFloat());
            bn.beta().value().put(c, (float) rng.nextGaussian() * 0.3f);
        }
    }
}
