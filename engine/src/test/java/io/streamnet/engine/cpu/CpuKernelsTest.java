package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Forward values of the CPU kernels on small hand-computed cases. */
class CpuKernelsTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @Test
    void activationsFollowTheirClassicDefinitions() {
        Tensor x = Tensor.of(-2, 0, 3);
        Tensor y = Tensor.zeros(3);
        cpu.activate(Activation.RELU, x, y);
        assertThat(y.toArray()).containsExactly(0, 0, 3);
        cpu.activate(Activation.LEAKY_RELU, x, y);
        assertThat(y.toArray()).containsExactly(-0.2f, 0, 3);
        cpu.activate(Activation.SIGMOID, x, y);
        assertThat(y.at(1)).isEqualTo(0.5f);
        assertThat(y.at(2)).isCloseTo((float) (1 / (1 + Math.exp(-3))), offset(1e-7f));
        cpu.activate(Activation.TANH, x, y);
        assertThat(y.at(0)).isCloseTo((float) Math.tanh(-2), offset(1e-7f));
    }

    @Test
    void leakyReluDefaultSlopeIsTheClassicPointOne() {
        assertThat(Activation.LEAKY_RELU.slope()).isEqualTo(0.1f);
        assertThat(Activation.parse("leaky_relu:0.2").slope()).isEqualTo(0.2f);
    }

    @Test
    void sigmoidStaysFiniteAtExtremeInputs() {
        Tensor x = Tensor.of(-1000, 1000);
        Tensor y = Tensor.zeros(2);
        cpu.activate(Activation.SIGMOID, x, y);
        assertThat(y.hasNonFinite()).isFalse();
        assertThat(y.at(0)).isBetween(0f, 1e-37f);
        assertThat(y.at(1)).isEqualTo(1f);
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        Tensor x = Tensor.wrap(new float[] {1000, 1001, 1002, -1000, 0, 1000}, 2, 3);
        Tensor y = Tensor.zeros(2, 3);
        cpu.softmax(x, y);
        assertThat(y.hasNonFinite()).isFalse();
        assertThat(y.at(0) + y.at(1) + y.at(2)).isCloseTo(1f, offset(1e-6f));
        assertThat(y.at(2)).isCloseTo(0.66524f, offset(1e-4f));
        assertThat(y.at(5)).isCloseTo(1f, offset(1e-6f));
    }

    @Test
    void logSoftmaxEqualsLogOfSoftmax() {
        Tensor x = Tensor.wrap(new float[] {0.5f, -1, 2, 3}, 1, 4);
        Tensor p = Tensor.zeros(1, 4);
        Tensor lp = Tensor.zeros(1, 4);
        cpu.softmax(x, p);
        cpu.logSoftmax(x, lp);
        for (int i = 0; i < 4; i++) {
            assertThat(lp.at(i)).isCloseTo((float) Math.log(p.at(i)), offset(1e-5f));
        }
    }

    @Test
    void softmaxCrossEntropyOfUniformLogitsIsLogC() {
        Tensor logits = Tensor.zeros(2, 4);
        float loss = cpu.softmaxCrossEntropy(logits, new int[] {0, 3}, null);
        assertThat(loss).isCloseTo((float) Math.log(4), offset(1e-6f));
    }

    @Test
    void softmaxCrossEntropyStaysFiniteForConfidentWrongLogits() {
        Tensor logits = Tensor.wrap(new float[] {1000, -1000}, 1, 2);
        float loss = cpu.softmaxCrossEntropy(logits, new int[] {1}, null);
        assertThat(loss).isCloseTo(2000f, offset(1e-3f));
    }

    @Test
    void labelOutOfRangeIsRejected() {
        assertThatThrownBy(() -> cpu.softmaxCrossEntropy(Tensor.zeros(1, 3), new int[] {3}, null))
                .hasMessageContaining("label 3");
    }

    @Test
    void mseIsTheMeanOfSquaredDifferences() {
        float loss = cpu.mse(Tensor.of(1, 2, 3), Tensor.of(1, 0, 0), null);
        assertThat(loss).isCloseTo((4 + 9) / 3f, offset(1e-6f));
    }

    @Test
    void argmaxPicksTheFirstLargestPerRow() {
        int[] out = new int[2];
        cpu.argmaxRows(Tensor.wrap(new float[] {1, 5, 5, 9, 0, 1}, 2, 3), out);
        assertThat(out).containsExactly(1, 0);
    }

    @Test
    void biasAndColumnSumsBroadcastOverRows() {
        Tensor x = Tensor.zeros(2, 3);
        cpu.addBias(x, Tensor.of(1, 2, 3));
        assertThat(x.toArray()).containsExactly(1, 2, 3, 1, 2, 3);
        Tensor s = Tensor.zeros(3);
        cpu.sumRows(x, s, false);
        assertThat(s.toArray()).containsExactly(2, 4, 6);
    }

    @Test
    void im2colLaysOutPatchesWithPaddingAndStride() {
        // 1 channel 3x3 image, 2x2 kernel, stride 1, pad 0 -> 4 patch rows x 4 positions.
        Tensor img = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3);
        ConvGeometry g = ConvGeometry.square(1, 3, 3, 2, 1, 0);
        Tensor cols = Tensor.zeros(g.patchSize(), g.outH() * g.outW());
        cpu.im2col(img, g, cols);
        assertThat(cols.toArray()).containsExactly(1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9);
        ConvGeometry padded = ConvGeometry.square(1, 3, 3, 3, 2, 1);
        assertThat(padded.outH()).isEqualTo(2);
        Tensor pc = Tensor.zeros(padded.patchSize(), 4);
        cpu.im2col(img, padded, pc);
        // kernel centre (row 4) sees pixels (0,0), (0,2), (2,0), (2,2).
        assertThat(pc.row(4).toArray()).containsExactly(1, 3, 7, 9);
        // kernel top-left (row 0) is in the padding for the first output.
        assertThat(pc.row(0).at(0)).isEqualTo(0f);
    }

    @Test
    void convolutionOutputSizeFollowsTheFormula() {
        ConvGeometry alexConv1 = ConvGeometry.square(3, 227, 227, 11, 4, 0);
        assertThat(alexConv1.outH()).isEqualTo(55);
        assertThat(PoolGeometry.square(3, 2).outH(55)).isEqualTo(27);
    }

    @Test
    void maxAndAveragePoolingPickWindowValues() {
        Tensor in = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 4, 4);
        PoolGeometry g = PoolGeometry.square(2, 2);
        Tensor out = Tensor.zeros(1, 1, 2, 2);
        int[] argmax = new int[4];
        cpu.maxPool(in, g, out, argmax);
        assertThat(out.toArray()).containsExactly(6, 8, 14, 16);
        assertThat(argmax).containsExactly(5, 7, 13, 15);
        cpu.avgPool(in, g, out);
        assertThat(out.toArray()).containsExactly(3.5f, 5.5f, 11.5f, 13.5f);
    }

    @Test
    void sgdWithMomentumAccumulatesVelocity() {
        Tensor p = Tensor.of(1f);
        Tensor g = Tensor.of(0.5f);
        Tensor v = Tensor.zeros(1);
        cpu.sgdUpdate(p, g, v, 0.1f, 0.9f, 0f);
        assertThat(p.at(0)).isCloseTo(0.95f, offset(1e-7f));
        cpu.sgdUpdate(p, g, v, 0.1f, 0.9f, 0f);
        // v = 0.9 * 0.5 + 0.5 = 0.95
        assertThat(v.at(0)).isCloseTo(0.95f, offset(1e-7f));
        assertThat(p.at(0)).isCloseTo(0.855f, offset(1e-6f));
    }

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        Tensor p = Tensor.of(1f, -1f);
        Tensor g = Tensor.of(0.3f, -7f);
        Tensor m = Tensor.zeros(2);
        Tensor v = Tensor.zeros(2);
        cpu.adamUpdate(p, g, m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 1, 0f);
        // Bias-corrected first step: m_hat / sqrt(v_hat) = sign(g).
        assertThat(p.at(0)).isCloseTo(0.99f, offset(1e-6f));
        assertThat(p.at(1)).isCloseTo(-0.99f, offset(1e-6f));
    }
}
