package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.GradCheck;
import io.streamnet.cnn.Reference64;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The residual block's backward (training mode, batch statistics) against central differences of a
 * float64 reference of its forward: in float32 the block's batch norms and ReLU kinks make a finite
 * difference too noisy to judge. The reference's forward must also match the layer's.
 */
class ResidualBlockGradientTest {
    private static final double H = 1e-6;

    @ParameterizedTest(name = "in={0} out={1} stride={2} on {3}x{3}")
    @CsvSource({"3, 3, 1, 5", "2, 4, 2, 6", "2, 3, 1, 4", "3, 3, 2, 7"})
    void residualGradientsMatchFloat64Differences(int in, int out, int stride, int size) {
        CpuBackend cpu = CpuBackend.instance();
        ParameterStore store = new ParameterStore(31);
        ResidualBlock block = new ResidualBlock(cpu, store, "res", in, out, stride);
        assertThat(block.hasProjection()).isEqualTo(in != out || stride != 1);
        Random rng = new Random(32);
        for (Parameter p : block.parameters()) {
            if (p.name().endsWith("gamma") || p.name().endsWith("beta")) {
                for (int i = 0; i < p.value().size(); i++) {
                    p.value().put(i, (float) ((p.name().endsWith("gamma") ? 1 : 0) + 0.3 * rng.nextGaussian()));
                }
            }
        }
        int n = 3;
        Tensor x = GradCheck.random(rng, 1f, n, in, size, size);
        Tensor y = block.forward(x, true);
        Tensor w = GradCheck.random(rng, 1f, y.shape());
        store.zeroGrad();
        Tensor gx = block.backward(w).copy();

        Map<String, double[]> params = new LinkedHashMap<>();
        for (Parameter p : block.parameters()) {
            params.put(p.name(), Reference64.toDouble(p.value()));
        }
        double[] xd = Reference64.toDouble(x);
        ToDoubleFunction<Void> loss = v -> Reference64.dot(forward64(xd, params, n, in, out, stride, size), w);

        double[] ref = forward64(xd, params, n, in, out, stride, size);
        for (int i = 0; i < ref.length; i++) {
            assertThat(y.at(i)).as("forward[%d]", i).isCloseTo((float) ref[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        compare("d/dx", xd, gx, loss);
        for (Parameter p : block.parameters()) {
            compare("d/d" + p.name(), params.get(p.name()), p.grad(), loss);
        }
    }

    private static void compare(String what, double[] v, Tensor analytic, ToDoubleFunction<Void> loss) {
        for (int i = 0; i < v.length; i++) {
            double orig = v[i];
            v[i] = orig + H;
            double plus = loss.applyAsDouble(null);
            v[i] = orig - H;
            double minus = loss.applyAsDouble(null);
            v[i] = orig;
            double numeric = (plus - minus) / (2 * H);
            double a = analytic.at(i);
            double err = Math.abs(a - numeric) / (1e-3 + Math.max(Math.abs(a), Math.abs(numeric)));
            assertThat(err).as("%s[%d]: analytic %s vs numeric %s", what, i, a, numeric).isLessThan(1e-2);
        }
    }

    private static double[] forward64(double[] x, Map<String, double[]> p, int n, int in, int out, int stride, int size) {
        int mid = (size + 2 - 3) / stride + 1;
        int spatial = mid * mid;
        double eps = BatchNorm.DEFAULT_EPSILON;
        double[] a = Reference64.conv(x, n, in, size, size, p.get("res.conv1.weight"), null, out, 3, stride, 1);
        a = Reference64.relu(Reference64.batchNormTrain(a, n, out, spatial, p.get("res.bn1.gamma"), p.get("res.bn1.beta"), eps));
        double[] b = Reference64.conv(a, n, out, mid, mid, p.get("res.conv2.weight"), null, out, 3, 1, 1);
        b = Reference64.batchNormTrain(b, n, out, spatial, p.get("res.bn2.gamma"), p.get("res.bn2.beta"), eps);
        double[] s;
        if (p.containsKey("res.proj.weight")) {
            s = Reference64.conv(x, n, in, size, size, p.get("res.proj.weight"), null, out, 1, stride, 0);
            s = Reference64.batchNormTrain(s, n, out, spatial, p.get("res.proj_bn.gamma"), p.get("res.proj_bn.beta"), eps);
        } else {
            s = x;
        }
        return Reference64.relu(Reference64.add(b, s));
    }
}
