package io.streamnet.engine.cpu;

import io.streamnet.engine.GradCheck;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every backend operation with a backward pass, checked against central finite differences. */
class BackwardGradientTest {
    private final CpuBackend cpu = CpuBackend.instance();
    private final Random rng = new Random(42);

    @ParameterizedTest
    @ValueSource(strings = {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu:0.3"})
    void activationBackwardMatchesFiniteDifferences(String name) {
        Activation f = Activation.parse(name);
        Tensor x = GradCheck.random(rng, 1.5f, 4, 6);
        // Keep ReLU inputs away from the kink, where the derivative is undefined.
        for (int i = 0; i < x.size(); i++) {
            if (Math.abs(x.at(i)) < 0.05f) {
                x.put(i, 0.3f);
            }
        }
        Tensor w = GradCheck.random(rng, 1f, 4, 6);
        Tensor y = Tensor.zeros(4, 6);
        cpu.activate(f, x, y);
        Tensor gx = Tensor.zeros(4, 6);
        cpu.activateBackward(f, x, y, w, gx);
        GradCheck.assertGradientMatches(name, x, gx, () -> {
            Tensor out = Tensor.zeros(4, 6);
            cpu.activate(f, x, out);
            return GradCheck.dot(out, w);
        }, 100);
    }

    @Test
    void softmaxCrossEntropyFusedGradientMatchesFiniteDifferences() {
        Tensor logits = GradCheck.random(rng, 2f, 5, 7);
        int[] labels = {0, 6, 3, 3, 1};
        Tensor grad = Tensor.zeros(5, 7);
        cpu.softmaxCrossEntropy(logits, labels, grad);
        GradCheck.assertGradientMatches("softmax+CE", logits, grad, () -> cpu.softmaxCrossEntropy(logits, labels, null), 100);
    }

    @Test
    void crossEntropyOnProbabilitiesGradientMatchesFiniteDifferences() {
        Tensor p = Tensor.zeros(3, 4);
        for (int i = 0; i < p.size(); i++) {
            p.put(i, 0.2f + 0.6f * rng.nextFloat());
        }
        int[] labels = {1, 0, 3};
        Tensor grad = Tensor.zeros(3, 4);
        cpu.crossEntropy(p, labels, grad);
        GradCheck.assertGradientMatches("CE", p, grad, () -> cpu.crossEntropy(p, labels, null), 100);
    }

    @Test
    void mseGradientMatchesFiniteDifferences() {
        Tensor pred = GradCheck.random(rng, 1f, 3, 5);
        Tensor target = GradCheck.random(rng, 1f, 3, 5);
        Tensor grad = Tensor.zeros(3, 5);
        cpu.mse(pred, target, grad);
        GradCheck.assertGradientMatches("mse", pred, grad, () -> cpu.mse(pred, target, null), 100);
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        // <im2col(x), c> = <x, col2im(c)> for every x, c: col2im is exactly the backward of im2col.
        ConvGeometry g = new ConvGeometry(2, 5, 6, 3, 2, 2, 1, 1, 0);
        Tensor x = GradCheck.random(rng, 1f, 2, 5, 6);
        Tensor c = GradCheck.random(rng, 1f, g.patchSize(), g.outH() * g.outW());
        Tensor gx = Tensor.zeros(2, 5, 6);
        cpu.col2im(c, g, gx);
        GradCheck.assertGradientMatches("im2col", x, gx, () -> {
            Tensor cols = Tensor.zeros(g.patchSize(), g.outH() * g.outW());
            cpu.im2col(x, g, cols);
            return GradCheck.dot(cols, c);
        }, 60);
    }

    @Test
    void maxPoolBackwardMatchesFiniteDifferences() {
        // Distinct, well-separated values so that h never changes which entry is the maximum.
        Tensor x = Tensor.zeros(2, 2, 4, 6);
        int[] perm = shuffled(x.size());
        for (int i = 0; i < x.size(); i++) {
            x.put(i, perm[i] * 0.01f);
        }
        PoolGeometry g = new PoolGeometry(2, 3, 2, 3);
        Tensor out = Tensor.zeros(2, 2, 2, 2);
        int[] argmax = new int[out.size()];
        cpu.maxPool(x, g, out, argmax);
        Tensor w = GradCheck.random(rng, 1f, 2, 2, 2, 2);
        Tensor gx = Tensor.zeros(x.shape());
        cpu.maxPoolBackward(w, argmax, gx);
        GradCheck.assertGradientMatches("maxPool", x, gx, () -> {
            Tensor o = Tensor.zeros(2, 2, 2, 2);
            cpu.maxPool(x, g, o, new int[o.size()]);
            return GradCheck.dot(o, w);
        }, 96);
    }

    @Test
    void avgPoolBackwardMatchesFiniteDifferences() {
        Tensor x = GradCheck.random(rng, 1f, 1, 3, 5, 5);
        PoolGeometry g = PoolGeometry.square(3, 2);
        Tensor w = GradCheck.random(rng, 1f, 1, 3, 2, 2);
        Tensor gx = Tensor.zeros(x.shape());
        cpu.avgPoolBackward(w, g, gx);
        GradCheck.assertGradientMatches("avgPool", x, gx, () -> {
            Tensor o = Tensor.zeros(1, 3, 2, 2);
            cpu.avgPool(x, g, o);
            return GradCheck.dot(o, w);
        }, 75);
    }

    @Test
    void channelBiasGradientIsTheChannelSum() {
        Tensor b = GradCheck.random(rng, 1f, 3);
        Tensor w = GradCheck.random(rng, 1f, 2, 3, 4);
        Tensor gb = Tensor.zeros(3);
        cpu.sumChannels(w, gb, false);
        GradCheck.assertGradientMatches("channel bias", b, gb, () -> {
            Tensor o = Tensor.zeros(2, 3, 4);
            cpu.addChannelBias(o, b);
            return GradCheck.dot(o, w);
        }, 3);
    }

    private int[] shuffled(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
