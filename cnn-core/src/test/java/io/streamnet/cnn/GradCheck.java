package io.streamnet.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;

/**
 * Central finite differences against a layer's backward pass. The scalar is L = sum(y * w) for fixed
 * random weights w, summed in double, so dL/dy = w; the layer itself computes in float32, hence the
 * large-ish step and a tolerance that mixes absolute and relative error. A wrong backward misses by
 * orders of magnitude.
 */
public final class GradCheck {
    public static final float H = 1e-3f;
    public static final double TOLERANCE = 2e-2;

    private GradCheck() {
    }

    public static Tensor random(Random rng, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.put(i, (float) (rng.nextGaussian() * scale));
        }
        return t;
    }

    public static double dot(Tensor out, Tensor weights) {
        double s = 0;
        for (int i = 0; i < out.size(); i++) {
            s += (double) out.at(i) * weights.at(i);
        }
        return s;
    }

    /**
     * Checks d L / d input and d L / d every parameter of {@code layer} at {@code x}, with the layer
     * run in {@code training} mode; up to {@code maxEntries} entries of each tensor.
     */
    public static void checkLayer(String what, Layer layer, Tensor x, boolean training, long seed, int maxEntries) {
        checkLayer(what, layer, x, training, seed, maxEntries, H);
    }

    /** As above with finite-difference step {@code h}. */
    public static void checkLayer(String what, Layer layer, Tensor x, boolean training, long seed, int maxEntries,
                                  float h) {
        Random rng = new Random(seed);
        Tensor y = layer.forward(x, training);
        Tensor w = random(rng, 1f, y.shape());
        for (Parameter p : layer.parameters()) {
            p.zeroGrad();
        }
        Tensor gx = layer.backward(w).copy();
        assertThat(gx.shape()).as(what + " input gradient shape").isEqualTo(x.shape());
        java.util.function.DoubleSupplier loss = () -> dot(layer.forward(x, training), w);
        assertGradientMatches(what + " d/dx", x, gx, loss, maxEntries, h);
        for (Parameter p : layer.parameters()) {
            assertGradientMatches(what + " d/d" + p.name(), p.value(), p.grad().copy(), loss, maxEntries, h);
        }
    }

    public static void assertGradientMatches(String what, Tensor x, Tensor analytic,
                                             java.util.function.DoubleSupplier loss, int maxEntries, float h) {
        int n = x.size();
        int step = Math.max(1, n / maxEntries);
        double worst = 0;
        int checked = 0;
        for (int i = 0; i < n; i += step) {
            float orig = x.at(i);
            x.put(i, orig + h);
            double plus = loss.getAsDouble();
            x.put(i, orig - h);
            double minus = loss.getAsDouble();
            x.put(i, orig);
            // the step actually taken in float32
            double numeric = (plus - minus) / ((double) (orig + h) - (double) (orig - h));
            double a = analytic.at(i);
            double err = Math.abs(a - numeric) / (1e-2 + Math.max(Math.abs(a), Math.abs(numeric)));
            worst = Math.max(worst, err);
            checked++;
            assertThat(err).as("%s: [%d] analytic %s vs numeric %s", what, i, a, numeric).isLessThan(TOLERANCE);
        }
        assertThat(checked).isPositive();
        assertThat(worst).as(what + " worst relative error").isLessThan(TOLERANCE);
    }
}
