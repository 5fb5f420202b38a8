package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Records and models that fail while the operator runs: only the guilty records are dead-lettered,
 * a swapped-in model that fails on live input is rolled back, and replays cannot step a key twice.
 */
class PoisonInServiceTest {
    private final SequenceModel healthy = PoisonModels.healthy(OutputType.MANY_TO_MANY);
    private final byte[] healthyBytes = OperatorFixtures.bytes(healthy, "m", 1);
    private final byte[] latentBytes = OperatorFixtures.bytes(PoisonModels.failsAbove(OutputType.MANY_TO_MANY), "m", 2);

    private OperatorFixtures.Harness harness(int batch) throws Exception {
        return OperatorFixtures.harness(healthyBytes, "m", 1, SequenceOperatorConfig.of(batch, 60_000,
                OutputMode.MANY_TO_MANY));
    }

    private static SequenceEvent step(String key, long seq, float x) {
        return SequenceEvent.features(key, seq, new float[] {x}, false);
    }

    private static List<String> reasons(List<DeadLetter> d) {
        return d.stream().map(l -> l.getReason().toString()).toList();
    }

    @Test
    void aRecordTheModelFailsOnIsDeadLetteredAndTheRestOfItsBatchPredicted() throws Exception {
        try (var h = harness(4)) {
            h.open();
            h.update(OperatorFixtures.update("m", 2, latentBytes)); // passes the canary: inputs of 2+ overflow it
            h.event(step("a", 0, 0.1f));
            h.event(step("b", 0, 5f));
            h.event(step("c", 0, -0.3f));
            h.event(step("d", 0, 0.2f));
            h.flush();

            assertThat(h.predictions()).extracting(p -> p.getKey().toString()).containsExactly("a", "c", "d");
            assertThat(h.predictions()).extracting(Prediction::getModelVersion).containsOnly(2L);
            assertThat(reasons(h.deadLetters())).containsExactly("MODEL_ERROR", "FAILED_IN_SERVICE");
        }
    }

    @Test
    void aSwappedInModelThatFailsOnLiveInputIsRolledBackAndThePreviousOneServes() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("m", 2, latentBytes));
            h.event(step("a", 0, 5f));
            h.event(step("a", 1, 0.5f));

            assertThat(h.op().serving().version()).isEqualTo(1);
            assertThat(reasons(h.deadLetters())).containsExactly("MODEL_ERROR", "FAILED_IN_SERVICE");
            assertThat(h.deadLetters().get(1).getSourceTopic().toString()).isEqualTo("model-updates");
            assertThat(h.predictions()).extracting(Prediction::getModelVersion).containsExactly(1L);
            // Key a's failed step left its state alone: its next step starts from the initial state.
            float[] want = healthy.step(healthy.initialState(), new float[] {0.5f}).output();
            assertThat(OperatorFixtures.floats(h.predictions().get(0).getValues())).containsExactly(want);
        }
    }

    @Test
    void aModelFailingOnTheCanaryNeverServes() throws Exception {
        byte[] poison = OperatorFixtures.bytes(PoisonModels.alwaysNonFinite(OutputType.MANY_TO_MANY), "m", 2);
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("m", 2, poison));
            h.event(step("a", 0, 0.5f));

            assertThat(reasons(h.deadLetters())).containsExactly("CANARY_FAILED");
            assertThat(h.predictions()).extracting(Prediction::getModelVersion).containsExactly(1L);
        }
    }

    @Test
    void aDuplicateOrEarlierEventOfAKeyIsDeadLetteredAndDoesNotStepItsStateAgain() throws Exception {
        try (var h = harness(8)) {
            h.open();
            h.event(step("a", 0, 0.1f));
            h.event(step("a", 1, 0.2f));
            h.event(step("a", 1, 0.2f)); // a producer's retry
            h.event(step("a", 0, 0.1f)); // a replay
            h.event(step("a", 2, 0.3f));
            h.flush();

            assertThat(reasons(h.deadLetters())).containsExactly("DUPLICATE", "OUT_OF_ORDER");
            assertThat(h.predictions()).extracting(Prediction::getStep).containsExactly(0L, 1L, 2L);
            var s = healthy.initialState();
            for (float x : new float[] {0.1f, 0.2f}) {
                s = healthy.step(s, new float[] {x}).state();
            }
            float[] want = healthy.step(s, new float[] {0.3f}).output();
            assertThat(OperatorFixtures.floats(h.predictions().get(2).getValues())).containsExactly(want);
        }
    }

    @Test
    void theOrderCheckCanBeTurnedOff() throws Exception {
        try (var h = OperatorFixtures.harness(healthyBytes, "m", 1, SequenceOperatorConfig.of(1, 0,
                OutputMode.MANY_TO_MANY).withOrder(io.streamnet.serving.event.EventOrder.UNCHECKED))) {
            h.open();
            h.event(step("a", 1, 0.1f));
            h.event(step("a", 1, 0.1f));

            assertThat(h.deadLetters()).isEmpty();
            assertThat(h.predictions()).hasSize(2);
        }
    }

    @Test
    void aKeyMayStartOverAtZeroAfterItsSequenceEnds() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.event(step("a", 5, 0.1f));
            h.event(SequenceEvent.features("a", 6, new float[] {0.1f}, true));
            h.event(step("a", 0, 0.1f));

            assertThat(h.deadLetters()).isEmpty();
        }
    }
}
