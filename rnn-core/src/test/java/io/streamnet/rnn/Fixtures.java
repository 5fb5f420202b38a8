package io.streamnet.rnn;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

/** Shared test data and the central finite-difference check. */
public final class Fixtures {
    private Fixtures() {
    }

    public static List<int[]> tokenSeqs(Random rng, int vocab, int... lengths) {
        List<int[]> out = new ArrayList<>();
        for (int len : lengths) {
            int[] s = new int[len];
            for (int i = 0; i < len; i++) {
                s[i] = rng.nextInt(vocab);
            }
            out.add(s);
        }
        return out;
    }

    public static List<float[][]> featureSeqs(Random rng, int width, int... lengths) {
        List<float[][]> out = new ArrayList<>();
        for (int len : lengths) {
            float[][] s = new float[len][width];
            for (float[] step : s) {
                for (int j = 0; j < width; j++) {
                    step[j] = (float) rng.nextGaussian();
                }
            }
            out.add(s);
        }
        return out;
    }

    /**
     * Checks the analytic gradients already in {@code params} against central differences of
     * {@code loss}, on up to {@code perParam} entries of each parameter. The loss is float32, so h is
     * a compromise, 3e-3 (float noise below it, curvature above it), and the tolerance mixes absolute
     * and relative error; a wrong backward misses it by far.
     */
    public static void assertGradientsMatch(List<Parameter> params, DoubleSupplier loss, int perParam) {
        float h = 3e-3f;
        List<Tensor> analytic = new ArrayList<>();
        for (Parameter p : params) {
            analytic.add(p.grad().copy());
        }
        for (int k = 0; k < params.size(); k++) {
            Parameter p = params.get(k);
            Tensor x = p.value();
            int step = Math.max(1, x.size() / perParam);
            for (int i = (k * 7) % step; i < x.size(); i += step) {
                float orig = x.at(i);
                x.put(i, orig + h);
                double plus = loss.getAsDouble();
                x.put(i, orig - h);
                double minus = loss.getAsDouble();
                x.put(i, orig);
                double numeric = (plus - minus) / (2 * h);
                double a = analytic.get(k).at(i);
                double err = Math.abs(a - numeric) / (2e-3 + Math.max(Math.abs(a), Math.abs(numeric)));
                assertThat(err).as("%s[%d]: analytic %s vs numeric %s", p.name(), i, a, numeric).isLessThan(3e-2);
            }
        }
    }
}
