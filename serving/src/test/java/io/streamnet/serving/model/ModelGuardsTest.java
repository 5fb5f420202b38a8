package io.streamnet.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceModelKind;
import java.io.ByteArrayOutputStream;
import java.security.KeyPair;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** What keeps a bad model out of service, and what takes one out that slipped in. */
class ModelGuardsTest {
    static final byte[] HEALTHY = PoisonModels.bytes(PoisonModels.healthy(OutputType.MANY_TO_MANY));

    static ModelUpdate update(long version, byte[] checkpoint) throws Exception {
        return ModelUpdates.toUpdate("m", version, checkpoint, Map.of());
    }

    static ModelSlot<ServedSequenceModel> slot(byte[] trustedKey) throws Exception {
        ModelSlot<ServedSequenceModel> s = new ModelSlot<>(new SequenceModelKind(OutputMode.MANY_TO_MANY),
                ModelUpdates.DEFAULT_MAX_BYTES, trustedKey);
        s.open(HEALTHY, "m", 1);
        return s;
    }

    static RejectReason refusal(ModelSlot.Offer<?> offer) {
        assertThat(offer).isInstanceOf(ModelSlot.Refused.class);
        return ((ModelSlot.Refused<?>) offer).reason();
    }

    @Test
    void aModelThatOutputsNonFiniteValuesOnTheCanaryIsRefused() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(null);
        byte[] poison = PoisonModels.bytes(PoisonModels.alwaysNonFinite(OutputType.MANY_TO_MANY));

        assertThat(refusal(s.offer(update(2, poison)))).isEqualTo(RejectReason.CANARY_FAILED);
        assertThat(s.current().version()).isEqualTo(1);
    }

    @Test
    void aModelThatPassesTheCanaryIsSwappedIn() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(null);
        byte[] latent = PoisonModels.bytes(PoisonModels.failsAbove(OutputType.MANY_TO_MANY));

        assertThat(s.offer(update(2, latent))).isInstanceOf(ModelSlot.Swapped.class);
    }

    @Test
    void anArchitectureClaimingMoreWeightsThanItCarriesIsRefusedBeforeAnythingIsAllocated() throws Exception {
        Checkpoint real = Checkpoints.fromBytes(HEALTHY);
        ObjectNode arch = real.architecture().deepCopy();
        arch.put("hidden", 1 << 20); // a 4 TB recurrent matrix if it were built
        Checkpoint.Builder b = Checkpoint.builder(arch);
        real.tensors().forEach(b::tensor);
        byte[] bomb = Checkpoints.toBytes(b.build());

        assertThat(refusal(slot(null).offer(update(2, bomb)))).isEqualTo(RejectReason.CHECKPOINT_SHAPE_MISMATCH);
    }

    @Test
    void aSwappedInModelThatFailsInServiceIsRolledBackAndNotTakenAgain() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(null);
        byte[] latent = PoisonModels.bytes(PoisonModels.failsAbove(OutputType.MANY_TO_MANY));
        s.offer(update(2, latent));

        ModelSlot.Swapped<ServedSequenceModel> back = s.rollBack("non-finite output");

        assertThat(back.old().version()).isEqualTo(2);
        assertThat(s.current().version()).isEqualTo(1);
        assertThat(s.canRollBack()).isFalse();
        assertThat(refusal(s.offer(update(2, latent)))).isEqualTo(RejectReason.FAILED_IN_SERVICE);
        assertThat(s.offer(update(3, HEALTHY))).isInstanceOf(ModelSlot.Swapped.class);
    }

    @Test
    void theFirstModelHasNothingToRollBackTo() throws Exception {
        assertThat(slot(null).rollBack("whatever")).isNull();
    }

    @Test
    void withATrustedKeyOnlyUpdatesSignedByItAreTaken() throws Exception {
        KeyPair trusted = UpdateSignatures.generate();
        ModelSlot<ServedSequenceModel> s = slot(trusted.getPublic().getEncoded());

        assertThat(refusal(s.offer(update(2, HEALTHY)))).isEqualTo(RejectReason.UNSIGNED);
        assertThat(refusal(s.offer(UpdateSignatures.sign(update(2, HEALTHY), UpdateSignatures.generate().getPrivate()))))
                .isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(s.offer(UpdateSignatures.sign(update(2, HEALTHY), trusted.getPrivate())))
                .isInstanceOf(ModelSlot.Swapped.class);
    }

    @Test
    void aSignatureCoversTheVersionSoASignedUpdateCannotBeReplayedAsAnother() throws Exception {
        KeyPair trusted = UpdateSignatures.generate();
        ModelUpdate u = UpdateSignatures.sign(update(2, HEALTHY), trusted.getPrivate());
        u.setVersion(99);

        assertThat(refusal(slot(trusted.getPublic().getEncoded()).offer(u))).isEqualTo(RejectReason.BAD_SIGNATURE);
    }

    @Test
    void anUnsignedFarFutureVersionCannotBlockLaterSignedUpdates() throws Exception {
        KeyPair trusted = UpdateSignatures.generate();
        ModelSlot<ServedSequenceModel> s = slot(trusted.getPublic().getEncoded());

        ModelUpdate farFuture = update(2, HEALTHY);
        farFuture.setVersion(UpdateHeader.MAX_VERSION);
        assertThat(refusal(s.offer(farFuture))).isEqualTo(RejectReason.UNSIGNED);
        assertThat(s.offer(UpdateSignatures.sign(update(2, HEALTHY), trusted.getPrivate())))
                .isInstanceOf(ModelSlot.Swapped.class);
    }

    @Test
    void anUpdateWrittenBeforeSignaturesExistedStillDecodesAsUnsigned() throws Exception {
        ModelUpdate u = update(2, HEALTHY);
        Schema v1 = Schema.createRecord("ModelUpdate", null, "io.streamnet.schemas", false,
                ModelUpdate.getClassSchema().getFields().stream().filter(f -> !f.name().equals("signature"))
                        .map(f -> new Schema.Field(f, f.schema())).toList());
        GenericRecord r = new GenericData.Record(v1);
        for (Schema.Field f : v1.getFields()) {
            Object value = u.get(f.name());
            r.put(f.name(), f.name().equals("createdAt") ? u.getCreatedAt().toEpochMilli() : value);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v1).write(r, enc);
        enc.flush();

        ModelUpdate decoded = ModelUpdates.decode(out.toByteArray(), ModelUpdates.DEFAULT_MAX_BYTES);

        assertThat(decoded.getVersion()).isEqualTo(2);
        assertThat(decoded.getSignature()).isNull();
        assertThat(slot(null).offer(out.toByteArray())).isInstanceOf(ModelSlot.Swapped.class);
    }

    @Test
    void anyExceptionWhileLoadingIsARefusalNotACrash() throws Exception {
        ModelSlot.Kind<ServedSequenceModel> buggy = new ModelSlot.Kind<>() {
            @Override
            public ServedSequenceModel load(byte[] checkpoint, String modelId, long version) throws
                    io.streamnet.engine.checkpoint.CheckpointException {
                return ServedSequenceModel.load(io.streamnet.engine.cpu.CpuBackend.instance(), checkpoint, modelId, version);
            }

            @Override
            public ServedSequenceModel validate(ModelUpdate update) {
                throw new ArrayIndexOutOfBoundsException("a loader bug");
            }
        };
        ModelSlot<ServedSequenceModel> s = new ModelSlot<>(buggy, ModelUpdates.DEFAULT_MAX_BYTES);
        s.open(HEALTHY, "m", 1);

        assertThat(refusal(s.offer(update(2, HEALTHY)))).isEqualTo(RejectReason.INVALID_MODEL);
    }
}
