package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.cnn.GradCheck;
import io.streamnet.cnn.Reference64;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Conv2D's batched im2col + gemm forward against a direct float64 convolution, and output shapes. */
class ConvForwardTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @ParameterizedTest(name = "C={0} F={1} k={2} s={3} p={4} on {5}x{6}, N={7}")
    @CsvSource({
            "1, 6, 5, 1, 2, 28, 28, 3",
            "3, 8, 3, 2, 1, 9, 7, 2",
            "4, 5, 1, 2, 0, 6, 6, 4",
            "2, 3, 4, 3, 1, 10, 11, 1",
            // large images: inference runs in chunks of images (3, 3, 1 and 2, 1 here)
            "2, 3, 3, 1, 1, 48, 48, 7",
            "3, 4, 3, 2, 1, 96, 96, 3"})
    void forwardMatchesDirectConvolution(int c, int f, int k, int s, int p, int h, int w, int n) {
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "c", c, f, k, s, p, true, Initializer.HE_NORMAL);
        for (int i = 0; i < f; i++) {
            conv.bias().value().put(i, 0.05f * i);
        }
        Tensor x = GradCheck.random(new Random(2), 1f, n, c, h, w);
        Tensor y = conv.forward(x, false);
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        assertThat(y.shape()).containsExactly(n, f, oh, ow);
        assertThat(conv.outputShape(x.shape())).containsExactly(n, f, oh, ow);
        double[] ref = Reference64.conv(Reference64.toDouble(x), n, c, h, w, Reference64.toDouble(conv.weight().value()),
                Reference64.toDouble(conv.bias().value()), f, k, s, p);
        for (int i = 0; i < ref.length; i++) {
            assertThat(y.at(i)).as("y[%d]", i).isCloseTo((float) ref[i], Offset.offset(1e-4f));
        }
        // a second batch size reuses nothing stale
        Tensor x1 = x.slice(0, 1).copy();
        Tensor y1 = conv.forward(x1, false);
        for (int i = 0; i < y1.size(); i++) {
            assertThat(y1.at(i)).isCloseTo((float) ref[i], Offset.offset(1e-4f));
        }
    }

    @Test
    void inferenceInChunksGivesTheWholeBatchAnswer() {
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "c", 2, 3, 3, 1, 1, true, Initializer.HE_NORMAL);
        Tensor x = GradCheck.random(new Random(5), 1f, 7, 2, 48, 48);
        float[] whole = conv.forward(x, true).toArray(); // training keeps the whole batch's columns
        float[] chunked = conv.forward(x, false).toArray();
        assertThat(chunked).containsExactly(whole);
    }

    @Test
    void trainingInChunksGivesTheGradientsOfOneImageAtATime() {
        // 7 images of 48x48: a chunked batch (3, 3, 1); one image alone runs unchunked (gradient-checked).
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "c", 2, 3, 3, 2, 1, true, Initializer.HE_NORMAL);
        Tensor x = GradCheck.random(new Random(6), 1f, 7, 2, 48, 48);
        Tensor g = GradCheck.random(new Random(7), 1f, 7, 3, 24, 24);
        conv.forward(x, true);
        float[] dx = conv.backward(g).toArray();
        float[] dw = conv.weight().grad().toArray();
        float[] db = conv.bias().grad().toArray();
        conv.weight().grad().fill(0f);
        conv.bias().grad().fill(0f);
        int per = dx.length / 7;
        for (int i = 0; i < 7; i++) {
            conv.forward(x.slice(i, i + 1).copy(), true);
            float[] dxi = conv.backward(g.slice(i, i + 1).copy()).toArray();
            for (int j = 0; j < per; j++) {
                assertThat(dx[i * per + j]).as("dx image %d [%d]", i, j).isCloseTo(dxi[j], Offset.offset(1e-5f));
            }
        }
        float[] dwSum = conv.weight().grad().toArray();
        for (int j = 0; j < dw.length; j++) {
            assertThat(dw[j]).as("dW[%d]", j).isCloseTo(dwSum[j], Offset.offset(1e-3f * Math.max(1f, Math.abs(dwSum[j]))));
        }
        float[] dbSum = conv.bias().grad().toArray();
        for (int j = 0; j < db.length; j++) {
            assertThat(db[j]).isCloseTo(dbSum[j], Offset.offset(1e-3f * Math.max(1f, Math.abs(dbSum[j]))));
        }
    }

    @Test
    void steadyStateReusesBuffers() {
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "c", 2, 3, 3, 1, 1, true, Initializer.HE_NORMAL);
        Tensor x = GradCheck.random(new Random(3), 1f, 4, 2, 6, 6);
        Tensor y = conv.forward(x, true);
        Tensor g = conv.backward(y);
        assertThat(conv.forward(x, true)).isSameAs(y);
        assertThat(conv.backward(y)).isSameAs(g);
    }

    @Test
    void wrongChannelCountIsRejected() {
        Conv2D conv = new Conv2D(cpu, new ParameterStore(1), "c", 3, 4, 3, 1, 1, true, Initializer.HE_NORMAL);
        assertThatThrownBy(() -> conv.forward(Tensor.zeros(1, 2, 5, 5), false))
                .isInstanceOf(ShapeMismatchException.class).hasMessageContaining("[1, 2, 5, 5]");
    }

    @Test
    void poolingShapes() {
        assertThat(Pool2D.max(cpu, 2, 2).outputShape(new int[] {5, 6, 28, 28})).containsExactly(5, 6, 14, 14);
        assertThat(Pool2D.max(cpu, 3, 2).outputShape(new int[] {1, 96, 55, 55})).containsExactly(1, 96, 27, 27);
        assertThat(Pool2D.avg(cpu, 7, 7).outputShape(new int[] {2, 64, 7, 7})).containsExactly(2, 64, 1, 1);
    }
}
