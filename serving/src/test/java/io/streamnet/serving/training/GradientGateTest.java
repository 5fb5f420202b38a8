package io.streamnet.serving.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.serving.training.GradientGate.Verdict;
import org.junit.jupiter.api.Test;

/** The model owner's gate: stale, non-finite and spiking gradients never reach the model. */
class GradientGateTest {
    static Gradient g(long version, double meanLoss, float value) {
        return new Gradient(version, 2, 2 * meanLoss, new float[][] {{value, 0.5f}});
    }

    @Test
    void aGradientAtTheStalenessBoundIsAcceptedAndOneVersionOlderIsNot() {
        GradientGate gate = new GradientGate(2, 3.0);
        assertThat(gate.judge(g(8, 1.0, 0.1f), 10)).isEqualTo(Verdict.ACCEPTED);
        assertThat(gate.judge(g(7, 1.0, 0.1f), 10)).isEqualTo(Verdict.STALE);
        assertThat(gate.count(Verdict.STALE)).isEqualTo(1);
    }

    @Test
    void aNanOrInfiniteGradientIsRejected() {
        GradientGate gate = new GradientGate(2, 3.0);
        assertThat(gate.judge(g(10, 1.0, Float.NaN), 10)).isEqualTo(Verdict.NON_FINITE);
        assertThat(gate.judge(g(10, Double.POSITIVE_INFINITY, 0.1f), 10)).isEqualTo(Verdict.NON_FINITE);
    }

    @Test
    void aLossAboveTheFactorTimesTheRunningMedianIsASpikeOnceTheMedianIsKnown() {
        GradientGate gate = new GradientGate(2, 3.0);
        assertThat(gate.judge(g(10, 50.0, 0.1f), 10)).as("no history yet").isEqualTo(Verdict.ACCEPTED);
        for (int i = 0; i < GradientGate.MIN_HISTORY; i++) {
            gate.judge(g(10, 1.0 + i * 0.01, 0.1f), 10);
        }
        assertThat(gate.median()).isCloseTo(1.04, org.assertj.core.data.Offset.offset(0.02));
        assertThat(gate.judge(g(10, 3.0, 0.1f), 10)).isEqualTo(Verdict.ACCEPTED);
        assertThat(gate.judge(g(10, 3.5, 0.1f), 10)).isEqualTo(Verdict.LOSS_SPIKE);
        assertThat(gate.count(Verdict.LOSS_SPIKE)).isEqualTo(1);
    }
}
