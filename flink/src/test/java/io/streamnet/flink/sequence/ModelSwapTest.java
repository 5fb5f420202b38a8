package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceEvent;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** Models swapped while the operator runs: between bundles, validated, restored with the state. */
class ModelSwapTest {
    private final SequenceModel v1 = OperatorFixtures.tokenModel(16, 7);
    private final SequenceModel v2 = OperatorFixtures.tokenModel(16, 99);
    private final byte[] v1Bytes = OperatorFixtures.bytes(v1, "sentiment", 1);
    private final byte[] v2Bytes = OperatorFixtures.bytes(v2, "sentiment", 2);

    private OperatorFixtures.Harness harness(int bundle) throws Exception {
        return OperatorFixtures.harness(v1Bytes, "sentiment", 1, SequenceOperatorConfig.of(bundle, 60_000,
                OutputMode.MANY_TO_MANY));
    }

    private static SequenceEvent token(String key, long seq, int id) {
        return SequenceEvent.tokens(key, seq, new int[] {id}, false);
    }

    @Test
    void aSwapHappensBetweenBundlesBufferedEventsRunOnTheOldModel() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.event(token("a", 0, 3));
            h.event(token("b", 0, 5));
            h.update(OperatorFixtures.update("sentiment", 2, v2Bytes));
            h.event(token("a", 1, 4));
            h.endInput1();
            List<Prediction> out = h.predictions();
            assertThat(out).extracting(Prediction::getModelVersion).containsExactly(1L, 1L, 2L);
            // Key a's state carries over (same shape): its second step is v2 stepping from v1's state.
            RnnState afterV1 = v1.step(v1.initialState(), 3).state();
            float[] want = v2.step(afterV1, 4).output();
            assertThat(OperatorFixtures.floats(out.get(2).getProbabilities())).containsExactly(want);
            assertThat(h.op().serving().version()).isEqualTo(2);
        }
    }

    @Test
    void anUpdateWithABadChecksumIsRejectedAndTheOldModelKeepsServing() throws Exception {
        ModelUpdate bad = OperatorFixtures.update("sentiment", 2, v2Bytes);
        bad.setChecksum("00" + bad.getChecksum().toString().substring(2));
        try (var h = harness(1)) {
            h.open();
            h.update(bad);
            h.event(token("a", 0, 3));
            assertThat(h.predictions()).extracting(Prediction::getModelVersion).containsExactly(1L);
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("CHECKSUM");
            assertThat(h.deadLetters().get(0).getSourceTopic().toString()).isEqualTo("model-updates");
        }
    }

    @Test
    void anUpdateWhoseCheckpointIsCorruptIsRejected() throws Exception {
        byte[] corrupt = v2Bytes.clone();
        corrupt[corrupt.length / 2] ^= 0x40; // a flipped weight bit: the checkpoint's own SHA-256 catches it
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("sentiment", 2, v1Bytes)); // valid, to prove order does not matter
            ModelUpdate u = OperatorFixtures.update("sentiment", 3, v2Bytes);
            u.setWeights(ByteBuffer.wrap(corrupt));
            u.setChecksum(io.streamnet.serving.model.ModelUpdates.sha256(corrupt));
            h.update(u);
            assertThat(h.op().serving().version()).isEqualTo(2);
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("CHECKPOINT_CHECKSUM_MISMATCH");
        }
    }

    @Test
    void undecodableUpdateBytesAreRejected() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.updateBytes(new byte[] {1, 2, 3});
            List<DeadLetter> dl = h.deadLetters();
            assertThat(dl).hasSize(1);
            assertThat(dl.get(0).getOffset()).isEqualTo(7);
            assertThat(h.op().serving().version()).isEqualTo(1);
        }
    }

    @Test
    void aModelOfAnotherInputKindIsRejectedAsIncompatible() throws Exception {
        SequenceModel features = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 4, 16, 1, 0f, 3, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 1);
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("sentiment", 2, OperatorFixtures.bytes(features, "sentiment", 2)));
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("INCOMPATIBLE");
            assertThat(h.op().serving().version()).isEqualTo(1);
        }
    }

    @Test
    void updatesOfOtherModelsAndOlderVersionsAreIgnoredWithoutDeadLetters() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("frames", 5, v2Bytes));
            h.update(OperatorFixtures.update("sentiment", 1, v2Bytes));
            assertThat(h.op().serving().version()).isEqualTo(1);
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @Test
    void aSwapToAnotherStateShapeResetsEveryKeysState() throws Exception {
        SequenceModel wide = OperatorFixtures.tokenModel(24, 3);
        try (var h = harness(1)) {
            h.open();
            h.event(token("a", 0, 3));
            h.event(token("b", 0, 3));
            assertThat(h.keysWith(SequenceOperator.STATE)).isEqualTo(2);
            h.update(OperatorFixtures.update("sentiment", 2, OperatorFixtures.bytes(wide, "sentiment", 2)));
            assertThat(h.keysWith(SequenceOperator.STATE)).as("states of the old shape are gone").isZero();
            h.event(token("a", 1, 4));
            float[] fresh = wide.step(wide.initialState(), 4).output();
            assertThat(OperatorFixtures.floats(h.predictions().get(2).getProbabilities())).containsExactly(fresh);
        }
    }

    @Test
    void aRestoredOperatorServesTheModelItServedAtTheSnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("sentiment", 2, v2Bytes));
            snapshot = h.snapshot(1, 1000);
        }
        try (var h = harness(1)) { // constructed with v1, as the job graph still is
            h.initializeState(snapshot);
            h.open();
            h.event(token("a", 0, 3));
            Prediction p = h.predictions().get(0);
            assertThat(p.getModelVersion()).isEqualTo(2);
            assertThat(OperatorFixtures.floats(p.getProbabilities()))
                    .containsExactly(v2.step(v2.initialState(), 3).output());
        }
    }
    @Test
    void aModelAcceptedUnsignedIsNotServedAfterARestoreThatTrustsAKey() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(1)) { // no key yet: an unsigned v2 is taken
            h.open();
            h.update(OperatorFixtures.update("sentiment", 2, v2Bytes));
            assertThat(h.op().serving().version()).isEqualTo(2);
            snapshot = h.snapshot(1, 1000);
        }
        KeyPair key = UpdateSignatures.generate();
        try (var h = OperatorFixtures.harness(v1Bytes, "sentiment", 1, SequenceOperatorConfig.of(1, 60_000,
                OutputMode.MANY_TO_MANY).withTrustedKey(key.getPublic().getEncoded()))) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.op().serving().version()).as("the model the job was started with").isEqualTo(1);
            h.update(UpdateSignatures.sign(OperatorFixtures.update("sentiment", 2, v2Bytes), key.getPrivate()));
            assertThat(h.op().serving().version()).as("a signed version still swaps in").isEqualTo(2);
        }
    }

    @Test
    void aSignedModelIsServedAgainAfterARestoreThatTrustsItsKey() throws Exception {
        KeyPair key = UpdateSignatures.generate();
        SequenceOperatorConfig trusting = SequenceOperatorConfig.of(1, 60_000, OutputMode.MANY_TO_MANY)
                .withTrustedKey(key.getPublic().getEncoded());
        OperatorSubtaskState snapshot;
        try (var h = OperatorFixtures.harness(v1Bytes, "sentiment", 1, trusting)) {
            h.open();
            h.update(UpdateSignatures.sign(OperatorFixtures.update("sentiment", 2, v2Bytes), key.getPrivate()));
            snapshot = h.snapshot(1, 1000);
        }
        try (var h = OperatorFixtures.harness(v1Bytes, "sentiment", 1, trusting)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.op().serving().version()).isEqualTo(2);
        }
    }

    @Test
    void aVersionNearLongMaxIsRefusedAtStartAndAsAnUpdate() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = OperatorFixtures.harness(v2Bytes, "sentiment", Long.MAX_VALUE - 1, SequenceOperatorConfig.of(1,
                60_000, OutputMode.MANY_TO_MANY))) {
            assertThatThrownBy(h::open).hasMessageContaining("versions are 0 to");
        }
        ModelUpdate huge = OperatorFixtures.update("sentiment", 2, v2Bytes);
        huge.setVersion(Long.MAX_VALUE - 1);
        try (var h = harness(1)) {
            h.open();
            h.update(huge);
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("BAD_VERSION");
            h.update(OperatorFixtures.update("sentiment", 2, v2Bytes));
            assertThat(h.op().serving().version()).isEqualTo(2);
        }
    }
    @Test
    void anOlderVersionOrATombstoneAfterANewerOneChangesNothing() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.update(OperatorFixtures.update("sentiment", 7, v2Bytes));
            h.update(OperatorFixtures.update("sentiment", 3, v1Bytes));
            h.updateBytes(null);
            assertThat(h.op().serving().version()).isEqualTo(7);
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("EMPTY");
        }
    }
}
