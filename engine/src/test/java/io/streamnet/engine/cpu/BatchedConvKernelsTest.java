package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.GradCheck;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The batched im2col/col2im equal the per-image ones side by side; swapLeadingAxes; store state tensors. */
class BatchedConvKernelsTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @Test
    void batchedIm2colAndCol2imMatchPerImageCalls() {
        ConvGeometry g = new ConvGeometry(3, 7, 6, 3, 2, 2, 1, 1, 0);
        int n = 3;
        int k = g.patchSize();
        int p = g.outH() * g.outW();
        Tensor images = GradCheck.random(new Random(1), 1f, n, 3, 7, 6);
        Tensor cols = Tensor.zeros(k, n * p);
        cpu.im2colBatch(images, g, cols);
        Tensor grads = Tensor.zeros(n, 3, 7, 6);
        cpu.col2imBatch(cols, g, grads);
        for (int i = 0; i < n; i++) {
            Tensor one = Tensor.zeros(k, p);
            cpu.im2col(images.slice(i, i + 1), g, one);
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < p; c++) {
                    assertThat(cols.get(r, i * p + c)).isEqualTo(one.get(r, c));
                }
            }
            Tensor back = Tensor.zeros(3, 7, 6);
            cpu.col2im(one, g, back);
            assertThat(grads.slice(i, i + 1).toArray()).isEqualTo(back.toArray());
        }
        assertThatThrownBy(() -> cpu.im2colBatch(images, g, Tensor.zeros(k, p)))
                .isInstanceOf(ShapeMismatchException.class);
    }

    @Test
    void swapLeadingAxesMovesBlocks() {
        Tensor x = Tensor.zeros(2, 3, 4);
        for (int i = 0; i < x.size(); i++) {
            x.put(i, i);
        }
        Tensor y = Tensor.zeros(3, 2, 4);
        cpu.swapLeadingAxes(x, y);
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                for (int s = 0; s < 4; s++) {
                    assertThat(y.get(b, a, s)).isEqualTo(x.get(a, b, s));
                }
            }
        }
        assertThatThrownBy(() -> cpu.swapLeadingAxes(x, Tensor.zeros(2, 3, 4))).isInstanceOf(ShapeMismatchException.class);
    }

    @Test
    void stateTensorsTravelWithTheWeightsButNotToOptimizers() {
        ParameterStore a = new ParameterStore(1);
        a.create("w", Initializer.HE_NORMAL, 3, 2, 3, 2);
        Tensor mean = a.createState("bn.running_mean", 0f, 2);
        mean.put(1, 0.5f);
        assertThat(a.all()).hasSize(1);
        assertThat(a.count()).isEqualTo(6);
        assertThat(a.values().keySet()).containsExactly("w", "bn.running_mean");
        ParameterStore b = new ParameterStore(2);
        b.create("w", Initializer.HE_NORMAL, 3, 2, 3, 2);
        Tensor mean2 = b.createState("bn.running_mean", 0f, 2);
        b.load(a.values());
        assertThat(mean2.toArray()).containsExactly(0f, 0.5f);
        assertThatThrownBy(() -> b.load(Map.of("w", Tensor.zeros(3, 2)))).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("bn.running_mean");
        assertThatThrownBy(() -> a.createState("w", 0f, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
