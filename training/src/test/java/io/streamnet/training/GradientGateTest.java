package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.training.GradientGate.Verdict;
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

    @Test
    void aGradientComputedOnAVersionNewerThanTheOwnersIsRefusedAsFromTheFuture() {
        GradientGate gate = new GradientGate(2, 3.0);
        assertThat(gate.judge(g(11, 1.0, 0.1f), 10)).isEqualTo(Verdict.FUTURE_VERSION);
        assertThat(gate.judge(g(Long.MAX_VALUE, 1.0, 0.1f), 10)).isEqualTo(Verdict.FUTURE_VERSION);
        assertThat(gate.judge(g(10, 1.0, 0.1f), 10)).isEqualTo(Verdict.ACCEPTED);
        assertThat(gate.count(Verdict.FUTURE_VERSION)).isEqualTo(2);
    }

    @Test
    void aVersionSoFarBehindThatTheDistanceOverflowsIsStale() {
        GradientGate gate = new GradientGate(2, 3.0);
        assertThat(gate.judge(g(Long.MIN_VALUE, 1.0, 0.1f), 10)).isEqualTo(Verdict.STALE);
    }

    @Test
    void afterABurstOfEasyGradientsNormalOnesAreAcceptedAgainWithinHalfTheHistory() {
        GradientGate gate = new GradientGate(8, 10.0);
        for (int i = 0; i < 1000; i++) {
            assertThat(gate.judge(g(10, 0.002, 0.1f), 10)).isEqualTo(Verdict.ACCEPTED);
        }
        int refused = 0;
        while (gate.judge(g(10, 0.4, 0.1f), 10) == Verdict.LOSS_SPIKE) {
            refused++;
            assertThat(refused).as("normal data locked out").isLessThanOrEqualTo(GradientGate.HISTORY / 2 + 1);
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(gate.judge(g(10, 0.4, 0.1f), 10)).isEqualTo(Verdict.ACCEPTED);
        }
        assertThat(gate.count(Verdict.LOSS_SPIKE)).isEqualTo(refused);
    }

    @Test
    void aLoneSpikeAmongNormalGradientsIsStillRefused() {
        GradientGate gate = new GradientGate(8, 10.0);
        for (int i = 0; i < 300; i++) {
            gate.judge(g(10, 0.4, 0.1f), 10);
            if (i % 50 == 49) {
                assertThat(gate.judge(g(10, 40, 0.1f), 10)).isEqualTo(Verdict.LOSS_SPIKE);
            }
        }
        assertThat(gate.count(Verdict.LOSS_SPIKE)).isEqualTo(6);
    }

    @Test
    void aRestoredGateContinuesWhereItWasAndTakesAHistoryWithoutTheNewerVerdicts() {
        GradientGate gate = new GradientGate(8, 10.0);
        for (int i = 0; i < 20; i++) {
            gate.judge(g(10, 0.002, 0.1f), 10);
        }
        GradientGate.History h = gate.history();
        GradientGate restored = new GradientGate(8, 10.0);
        restored.restore(new GradientGate.History(h.recent(), h.seen(), java.util.Arrays.copyOf(h.counts(), 4)));
        assertThat(restored.count(Verdict.ACCEPTED)).isEqualTo(20);
        assertThat(restored.judge(g(10, 0.4, 0.1f), 10)).isEqualTo(Verdict.LOSS_SPIKE);
    }
}
