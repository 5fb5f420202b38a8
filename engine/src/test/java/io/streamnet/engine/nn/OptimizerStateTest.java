package io.streamnet.engine.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.optim.Optimizer;
import io.streamnet.engine.nn.optim.Sgd;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** An optimizer restored from its state continues exactly as the one it was taken from (online training's checkpoints). */
class OptimizerStateTest {
    private final CpuBackend cpu = CpuBackend.instance();

    /** Steps on (w - 3)^2 for each of w's two values. */
    private static void steps(Optimizer opt, Parameter p, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2; j++) {
                p.grad().put(j, 2 * (p.value().at(j) - 3 - j));
            }
            opt.step(List.of(p));
        }
    }

    private void continuesExactly(Supplier<Optimizer> make) {
        Parameter p = new Parameter("w", Tensor.of(0f, 1f));
        Optimizer a = make.get();
        steps(a, p, 7);
        float[][] state = a.state(List.of(p));
        Parameter q = new Parameter("w", Tensor.of(p.value().toArray()));
        Optimizer b = make.get();
        b.restore(List.of(q), a.steps(), state);
        steps(a, p, 5);
        steps(b, q, 5);
        assertThat(q.value().toArray()).containsExactly(p.value().toArray());
        assertThat(b.steps()).isEqualTo(a.steps());
    }

    @Test
    void adamRestoredFromItsStateContinuesExactly() {
        continuesExactly(() -> new Adam(cpu, LearningRateSchedule.constant(0.1f)));
    }

    @Test
    void sgdWithMomentumRestoredFromItsStateContinuesExactly() {
        continuesExactly(() -> new Sgd(cpu, LearningRateSchedule.constant(0.05f), 0.9f, 0f));
    }

    @Test
    void stateOfTheWrongShapeIsRefused() {
        Parameter p = new Parameter("w", Tensor.of(0f, 1f));
        Adam adam = new Adam(cpu, LearningRateSchedule.constant(0.1f));
        assertThatThrownBy(() -> adam.restore(List.of(p), 1, new float[][] {new float[2], new float[3]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 values");
    }
}
