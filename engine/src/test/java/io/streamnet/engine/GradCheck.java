package io.streamnet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.tensor.Tensor;
import java.util.function.DoubleSupplier;

/**
 * Central finite differences, (L(x + h) - L(x - h)) / 2h, against an analytic gradient. The loss is
 * evaluated in float32 by the code under test, so h is large-ish and the tolerance mixes absolute
 * and relative error; a wrong backward pass misses it by orders of magnitude.
 */
public final class GradCheck {
    public static final float H = 1e-3f;

    private GradCheck() {
    }

    /** Checks up to {@code maxEntries} entries of {@code x}, spread evenly over it. */
    public static void assertGradientMatches(String what, Tensor x, Tensor analytic, DoubleSupplier loss, int maxEntries) {
        int n = x.size();
        int step = Math.max(1, n / maxEntries);
        double worst = 0;
        for (int i = 0; i < n; i += step) {
            float orig = x.at(i);
            x.put(i, orig + H);
            double plus = loss.getAsDouble();
            x.put(i, orig - H);
            double minus = loss.getAsDouble();
            x.put(i, orig);
            double numeric = (plus - minus) / (2 * H);
            double a = analytic.at(i);
            double err = Math.abs(a - numeric) / (1e-2 + Math.max(Math.abs(a), Math.abs(numeric)));
            worst = Math.max(worst, err);
            assertThat(err).as("%s: d/dx[%d] analytic %s vs numeric %s", what, i, a, numeric).isLessThan(2e-2);
        }
        assertThat(worst).as(what + " worst relative error").isLessThan(2e-2);
    }

    public static Tensor random(java.util.Random rng, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.put(i, (float) (rng.nextGaussian() * scale));
        }
        return t;
    }

    /** sum(out * weights): a scalar whose gradient with respect to out is {@code weights}. */
    public static double dot(Tensor out, Tensor weights) {
        double s = 0;
        for (int i = 0; i < out.size(); i++) {
            s += (double) out.at(i) * weights.at(i);
        }
        return s;
    }
}
