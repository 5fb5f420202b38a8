package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.GradCheck;
import io.streamnet.cnn.Reference64;
import io.streamnet.cnn.zoo.ModelZoo;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.ActivationLayer;
import io.streamnet.engine.nn.layer.InferencePlan;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Inference with batch norm folded into the convolutions and the bias, residual sum and ReLU in
 * their output pass gives the layer-by-layer eval-mode answer.
 */
class FusedInferenceTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @ParameterizedTest(name = "{0} at batch {1}")
    @CsvSource({"lenet5, 1", "lenet5, 7", "lenet5, 64", "resnet-mini, 1", "resnet-mini, 5", "resnet-mini, 40"})
    void fusedInferenceEqualsTheLayerByLayerEvalForward(String model, int batch) {
        Sequential net = ModelZoo.build(model, cpu, 3);
        randomizeBatchNorms(net, 4);
        Tensor x = GradCheck.random(new Random(batch), 1f, batch, 1, 28, 28);
        float[] expected = net.forward(x, false).toArray();
        float[] fused = net.infer(x).toArray();
        assertClose(fused, expected);
    }

    @ParameterizedTest(name = "C={0} F={1} k={2} s={3} p={4} on {5}x{6}, N={7}")
    @CsvSource({
            "1, 6, 5, 1, 2, 28, 28, 3",
            "6, 16, 5, 1, 0, 14, 14, 2",
            "16, 32, 3, 2, 1, 28, 28, 2",
            "3, 8, 3, 2, 1, 9, 7, 2",
            "4, 5, 1, 2, 0, 6, 6, 4",
            "2, 3, 4, 3, 1, 10, 11, 1",
            "5, 9, 3, 1, 1, 7, 7, 3",
            "2, 70, 3, 1, 2, 5, 6, 2",
            "40, 100, 3, 1, 1, 6, 5, 1"})
    void fusedConvolutionMatchesADirectConvolution(int c, int f, int k, int s, int p, int h, int w, int n) {
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "c", c, f, k, s, p, true, Initializer.HE_NORMAL);
        for (int i = 0; i < f; i++) {
            conv.bias().value().put(i, 0.05f * i - 0.5f);
        }
        Tensor x = GradCheck.random(new Random(2), 1f, n, c, h, w);
        Tensor residual = GradCheck.random(new Random(3), 1f, conv.outputShape(x.shape()));
        double[] ref = Reference64.conv(Reference64.toDouble(x), n, c, h, w, Reference64.toDouble(conv.weight().value()),
                Reference64.toDouble(conv.bias().value()), f, k, s, p);
        Tensor y = conv.forwardInference(x, null, residual, Activation.RELU);
        assertThat(y.shape()).containsExactly(conv.outputShape(x.shape()));
        for (int i = 0; i < ref.length; i++) {
            float want = (float) Math.max(0, ref[i] + residual.at(i));
            assertThat(Math.abs(y.at(i) - want)).as("y[%d]", i).isLessThanOrEqualTo(1e-4f * Math.max(1f, Math.abs(want)));
        }
    }

    @Test
    void foldedBatchNormFollowsItsStatisticsAfterTheFirstCall() {
        Sequential net = ModelZoo.build("resnet-mini", cpu, 5);
        Tensor x = GradCheck.random(new Random(6), 1f, 3, 1, 28, 28);
        net.infer(x);
        randomizeBatchNorms(net, 7); // as a model update or a training step would
        assertClose(net.infer(x).toArray(), net.forward(x, false).toArray());
    }

    @Test
    void aConvolutionTakesOverTheBatchNormAndReluAfterIt() {
        ParameterStore store = new ParameterStore(8);
        Conv2D conv = new Conv2D(cpu, store, "c", 2, 4, 3, 1, 1, true, Initializer.HE_NORMAL);
        BatchNorm bn = new BatchNorm(store, "bn", 4);
        ActivationLayer relu = new ActivationLayer(cpu, Activation.RELU);
        ActivationLayer tanh = new ActivationLayer(cpu, Activation.TANH);
        assertThat(conv.fusable(List.of(bn, relu, tanh))).isEqualTo(2);
        assertThat(conv.fusable(List.of(relu, bn))).isEqualTo(1);
        assertThat(conv.fusable(List.of(tanh))).isZero();
        assertThat(conv.fusable(List.of(new BatchNorm(store, "other", 3)))).isZero();
        assertThat(InferencePlan.of(List.<Layer>of(conv, bn, relu, tanh)).steps()).isEqualTo(2);
    }

    @Test
    void aConvolutionWithBiasAndBatchNormFoldsBoth() {
        ParameterStore store = new ParameterStore(9);
        Conv2D conv = new Conv2D(cpu, store, "c", 3, 5, 3, 2, 1, true, Initializer.HE_NORMAL);
        for (int f = 0; f < 5; f++) {
            conv.bias().value().put(f, 0.2f * f - 0.3f);
        }
        BatchNorm bn = new BatchNorm(store, "bn", 5);
        randomize(bn, new Random(10));
        Tensor x = GradCheck.random(new Random(11), 1f, 2, 3, 9, 9);
        float[] expected = bn.forward(conv.forward(x, false), false).toArray();
        assertClose(conv.forwardInference(x, bn, null, null).toArray(), expected);
    }

    private static void randomizeBatchNorms(Sequential net, long seed) {
        // Every batch norm, the residual blocks' included, through the parameter store.
        Random rng = new Random(seed);
        for (var p : net.store().all()) {
            if (p.name().endsWith(".gamma")) {
                for (int i = 0; i < p.value().size(); i++) {
                    p.value().put(i, 0.5f + rng.nextFloat());
                }
            } else if (p.name().endsWith(".beta")) {
                for (int i = 0; i < p.value().size(); i++) {
                    p.value().put(i, 0.3f * (float) rng.nextGaussian());
                }
            }
        }
        for (var e : net.store().states().entrySet()) {
            Tensor t = e.getValue();
            for (int i = 0; i < t.size(); i++) {
                t.put(i, e.getKey().endsWith("running_var") ? 0.3f + rng.nextFloat() : 0.2f * (float) rng.nextGaussian());
            }
        }
    }

    private static void randomize(BatchNorm bn, Random rng) {
        for (int c = 0; c < bn.channels(); c++) {
            bn.gamma().value().put(c, 0.5f + rng.nextFloat());
            bn.beta().value().put(c, 0.3f * (float) rng.nextGaussian());
            bn.runningMean().put(c, 0.2f * (float) rng.nextGaussian());
            bn.runningVar().put(c, 0.3f + rng.nextFloat());
        }
    }

    private static void assertClose(float[] got, float[] expected) {
        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < got.length; i++) {
            float tol = 1e-4f * Math.max(1f, Math.abs(expected[i]));
            assertThat(Math.abs(got[i] - expected[i])).as("element %d: %s vs %s", i, got[i], expected[i]).isLessThanOrEqualTo(tol);
        }
    }
}
