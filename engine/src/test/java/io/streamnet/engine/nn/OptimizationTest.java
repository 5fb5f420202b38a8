package io.streamnet.engine.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.GradientClipping;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.optim.Sgd;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizationTest {
    private final CpuBackend cpu = CpuBackend.instance();

    private static Parameter param(float value) {
        return new Parameter("w", Tensor.of(value));
    }

    /** Minimises (w - 3)^2; gradient 2 (w - 3). */
    private static float minimise(io.streamnet.engine.nn.optim.Optimizer opt, int steps) {
        Parameter p = param(0f);
        for (int i = 0; i < steps; i++) {
            p.grad().put(0, 2 * (p.value().at(0) - 3));
            opt.step(List.of(p));
        }
        return p.value().at(0);
    }

    @Test
    void sgdWithMomentumConvergesOnAQuadratic() {
        assertThat(minimise(new Sgd(cpu, LearningRateSchedule.constant(0.05f), 0.9f, 0f), 300))
                .isCloseTo(3f, offset(1e-3f));
    }

    @Test
    void adamConvergesOnAQuadratic() {
        assertThat(minimise(new Adam(cpu, LearningRateSchedule.constant(0.1f)), 500)).isCloseTo(3f, offset(1e-2f));
    }

    @Test
    void clippingScalesAllGradientsToTheGlobalNorm() {
        Parameter a = new Parameter("a", Tensor.of(0, 0));
        Parameter b = new Parameter("b", Tensor.of(0));
        a.grad().copyFrom(Tensor.of(3, 0));
        b.grad().copyFrom(Tensor.of(4));
        float before = GradientClipping.clipByGlobalNorm(cpu, List.of(a, b), 1f);
        assertThat(before).isCloseTo(5f, offset(1e-6f));
        assertThat(a.grad().at(0)).isCloseTo(0.6f, offset(1e-6f));
        assertThat(b.grad().at(0)).isCloseTo(0.8f, offset(1e-6f));
    }

    @Test
    void clippingLeavesSmallGradientsAlone() {
        Parameter a = new Parameter("a", Tensor.of(0));
        a.grad().put(0, 0.5f);
        GradientClipping.clipByGlobalNorm(cpu, List.of(a), 1f);
        assertThat(a.grad().at(0)).isEqualTo(0.5f);
    }

    @Test
    void stepScheduleDropsByGammaEveryStepSize() {
        LearningRateSchedule s = LearningRateSchedule.step(0.1f, 10, 0.5f);
        assertThat(s.rate(9)).isCloseTo(0.1f, offset(1e-7f));
        assertThat(s.rate(10)).isCloseTo(0.05f, offset(1e-7f));
        assertThat(s.rate(25)).isCloseTo(0.025f, offset(1e-7f));
    }

    @Test
    void cosineScheduleGoesFromPeakToFloor() {
        LearningRateSchedule s = LearningRateSchedule.cosine(0.1f, 100, 0.001f);
        assertThat(s.rate(0)).isCloseTo(0.1f, offset(1e-7f));
        assertThat(s.rate(50)).isCloseTo(0.0505f, offset(1e-6f));
        assertThat(s.rate(100)).isCloseTo(0.001f, offset(1e-7f));
        assertThat(s.rate(1000)).isCloseTo(0.001f, offset(1e-7f));
    }

    @Test
    void invalidHyperparametersAreRejectedAtConstruction() {
        assertThatThrownBy(() -> LearningRateSchedule.constant(0f)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> new Sgd(cpu, LearningRateSchedule.constant(0.1f), 1f, 0f)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new Adam(cpu, LearningRateSchedule.constant(0.1f), 0.9f, 1f, 1e-8f, 0f))
                .hasMessageContaining("beta");
    }
}
