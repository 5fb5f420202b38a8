package io.streamnet.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceModelKind;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an update costs before it is trusted (nothing but its header), and that a model restored
 * from a runtime's state is held to the trust of the runtime that restores it.
 */
class UpdateTrustTest {
    private static final byte[] HEALTHY = ModelGuardsTest.HEALTHY;
    private static final KeyPair KEY = UpdateSignatures.generate();

    private static byte[] raw(ModelUpdate u) {
        return ModelUpdates.codec(Integer.MAX_VALUE).encode(u);
    }

    private static byte[] signed(long version) throws Exception {
        return raw(UpdateSignatures.sign(ModelGuardsTest.update(version, HEALTHY), KEY.getPrivate()));
    }

    private static ModelSlot<ServedSequenceModel> trusting() throws Exception {
        return ModelGuardsTest.slot(KEY.getPublic().getEncoded());
    }

    /** A slot as a runtime has it before it opens or restores a model. */
    private static ModelSlot<ServedSequenceModel> unopened(byte[] trustedKey) {
        return new ModelSlot<>(new SequenceModelKind(OutputMode.MANY_TO_MANY), ModelUpdates.DEFAULT_MAX_BYTES, trustedKey);
    }

    /** Bytes this thread allocated while {@code r} ran. */
    private static long allocatedBy(Runnable r) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        r.run();
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void aMetricsBombIsRefusedFromItsHeaderWithoutBeingDecoded() throws Exception {
        byte[] bomb = MetricsBombs.update("m", 2, HEALTHY, 1_000_000);
        ModelSlot<ServedSequenceModel> s = ModelGuardsTest.slot(null);
        ModelSlot.Offer<?>[] offer = new ModelSlot.Offer<?>[1];

        long allocated = allocatedBy(() -> offer[0] = s.offer(bomb));

        assertThat(bomb.length).isGreaterThan(8_000_000);
        assertThat(ModelGuardsTest.refusal(offer[0])).isEqualTo(RejectReason.UPDATE_FIELD_TOO_LARGE);
        assertThat(((ModelSlot.Refused<?>) offer[0]).detail()).contains("metrics");
        assertThat(allocated).as("bytes allocated to refuse a %d-byte bomb", bomb.length).isLessThan(1 << 20);
        assertThat(s.current().version()).isEqualTo(1);
    }

    @Test
    void decodingAMetricsBombIsRefusedAsWellWhereverItIsRead() throws Exception {
        byte[] bomb = MetricsBombs.update("m", 2, HEALTHY, UpdateHeader.MAX_METRICS + 1);

        assertThatThrownBy(() -> ModelUpdates.decode(bomb, ModelUpdates.DEFAULT_MAX_BYTES))
                .isInstanceOfSatisfying(ModelRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UPDATE_FIELD_TOO_LARGE));
        assertThatThrownBy(() -> ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).decode(bomb))
                .isInstanceOfSatisfying(io.streamnet.serving.wire.DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.UPDATE_FIELD_TOO_LARGE));
        assertThat(ModelUpdates.decode(MetricsBombs.update("m", 2, HEALTHY, UpdateHeader.MAX_METRICS), ModelUpdates.DEFAULT_MAX_BYTES)
                .getMetrics()).hasSize(UpdateHeader.MAX_METRICS);
    }

    @Test
    void anUnsignedUpdateIsRefusedBeforeItsWeightsAreCopied() throws Exception {
        ModelUpdate big = ModelGuardsTest.update(2, HEALTHY);
        big.setWeights(ByteBuffer.wrap(new byte[16 << 20]));
        byte[] bytes = raw(big);
        ModelSlot<ServedSequenceModel> s = trusting();
        ModelSlot.Offer<?>[] offer = new ModelSlot.Offer<?>[1];

        long allocated = allocatedBy(() -> offer[0] = s.offer(bytes));

        assertThat(ModelGuardsTest.refusal(offer[0])).isEqualTo(RejectReason.UNSIGNED);
        assertThat(allocated).as("bytes allocated to refuse %d unsigned bytes", bytes.length).isLessThan(1 << 20);
    }

    @Test
    void eachStringFieldIsBoundedOnTheRawBytes() throws Exception {
        ModelUpdate longId = ModelGuardsTest.update(2, HEALTHY);
        longId.setModelId("m".repeat(UpdateHeader.MAX_MODEL_ID_BYTES + 1));
        ModelUpdate longName = ModelGuardsTest.update(2, HEALTHY);
        longName.setMetrics(Map.of("x".repeat(UpdateHeader.MAX_METRIC_NAME_BYTES + 1), 1.0));
        ModelUpdate longChecksum = ModelGuardsTest.update(2, HEALTHY);
        longChecksum.setChecksum("0".repeat(UpdateHeader.MAX_CHECKSUM_BYTES + 1));
        ModelUpdate longSignature = ModelGuardsTest.update(2, HEALTHY);
        longSignature.setSignature(ByteBuffer.wrap(new byte[UpdateHeader.MAX_SIGNATURE_BYTES + 1]));

        for (ModelUpdate u : new ModelUpdate[] {longId, longName, longChecksum, longSignature}) {
            assertThat(ModelGuardsTest.refusal(ModelGuardsTest.slot(null).offer(raw(u))))
                    .isEqualTo(RejectReason.UPDATE_FIELD_TOO_LARGE);
        }
    }

    @Test
    void aSignedUpdateIsVerifiedOnItsRawFieldsAndSwapsIn() throws Exception {
        ModelSlot<ServedSequenceModel> s = trusting();
        byte[] bytes = signed(2);

        assertThat(s.offer(bytes)).isInstanceOf(ModelSlot.Swapped.class);
        assertThat(s.currentSignature()).isEqualTo(UpdateHeader.read(bytes, Integer.MAX_VALUE).signature());
    }

    @Test
    void aVersionThatWouldLeaveNoRoomForLaterOnesIsRefused() throws Exception {
        ModelSlot<ServedSequenceModel> s = ModelGuardsTest.slot(null);
        ModelUpdate u = ModelGuardsTest.update(2, HEALTHY);
        u.setVersion(Long.MAX_VALUE - 1);

        assertThat(ModelGuardsTest.refusal(s.offer(raw(u)))).isEqualTo(RejectReason.BAD_VERSION);
        assertThat(ModelGuardsTest.refusal(s.offer(u))).isEqualTo(RejectReason.BAD_VERSION);
        assertThat(s.offer(ModelGuardsTest.update(3, HEALTHY))).isInstanceOf(ModelSlot.Swapped.class);
        assertThatThrownBy(() -> ModelGuardsTest.update(UpdateHeader.MAX_VERSION + 1, HEALTHY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aModelRestoredFromStateAcceptedBeforeSigningWasOnIsNotServed() throws Exception {
        ModelSlot<ServedSequenceModel> s = unopened(KEY.getPublic().getEncoded());

        assertThat(s.restore(HEALTHY, "m", 7, null)).isNull();
        assertThat(s.restore(HEALTHY, "m", 7, new byte[64])).isNull();
    }

    @Test
    void aModelRestoredWithAVerifyingSignatureServesAgain() throws Exception {
        ModelSlot<ServedSequenceModel> before = trusting();
        before.offer(signed(5));
        ModelSlot<ServedSequenceModel> after = unopened(KEY.getPublic().getEncoded());

        ServedSequenceModel m = after.restore(before.current().checkpoint(), "m", 5, before.currentSignature());

        assertThat(m).isNotNull();
        assertThat(m.version()).isEqualTo(5);
        assertThat(after.currentSignature()).isEqualTo(before.currentSignature());
        assertThat(after.restore(before.current().checkpoint(), "m", 6, before.currentSignature()))
                .as("the signature covers the version").isNull();
    }

    @Test
    void aRestoredVersionNearLongMaxIsNotServedEvenWithoutAKey() throws Exception {
        ModelSlot<ServedSequenceModel> s = unopened(null);

        assertThat(s.restore(HEALTHY, "m", Long.MAX_VALUE, null)).isNull();
        assertThat(s.restore(HEALTHY, "m", 3, null).version()).isEqualTo(3);
    }

    @Test
    void aRestoredModelThatNoLongerLoadsIsNotServedAndNothingIsThrown() throws Exception {
        ModelSlot<ServedSequenceModel> s = unopened(null);
        // e.g. accepted by a release whose checks were looser: throwing here would fail every restart of the job
        byte[] corrupt = HEALTHY.clone();
        corrupt[corrupt.length / 2] ^= 1;

        assertThat(s.restore(corrupt, "m", 3, null)).isNull();
    }

    @Test
    void aRollBackRestoresTheSignatureOfTheModelServingAgain() throws Exception {
        ModelSlot<ServedSequenceModel> s = trusting();
        s.offer(signed(2));
        byte[] v2 = s.currentSignature();
        s.offer(signed(3));

        s.rollBack("failed on live input");

        assertThat(s.current().version()).isEqualTo(2);
        assertThat(s.currentSignature()).isEqualTo(v2);
    }
}
