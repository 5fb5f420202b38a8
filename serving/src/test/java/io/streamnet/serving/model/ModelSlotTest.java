package io.streamnet.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceModelKind;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one set of rules for what a runtime serves and when it changes. */
class ModelSlotTest {
    private static byte[] bytes(int hidden, long seed, OutputType type) throws Exception {
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 3, hidden, 1, 0f, 3, Task.REGRESSION, type), seed);
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, null, Map.of()));
    }

    private static ModelUpdate update(String id, long version, byte[] checkpoint) throws Exception {
        return ModelUpdates.toUpdate(id, version, checkpoint, Map.of());
    }

    private static ModelSlot<ServedSequenceModel> slot(OutputMode mode) throws Exception {
        ModelSlot<ServedSequenceModel> s = new ModelSlot<>(new SequenceModelKind(mode), ModelUpdates.DEFAULT_MAX_BYTES);
        s.open(bytes(8, 1, OutputType.MANY_TO_MANY), "m", 2);
        return s;
    }

    @Test
    void updatesForAnotherModelOrNotNewerAreIgnored() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(OutputMode.MANY_TO_MANY);
        assertThat(s.offer(update("other", 9, bytes(8, 2, OutputType.MANY_TO_MANY))))
                .isInstanceOf(ModelSlot.Ignored.class);
        assertThat(s.offer(update("m", 2, bytes(8, 2, OutputType.MANY_TO_MANY)))).isInstanceOf(ModelSlot.Ignored.class);
        assertThat(s.current().version()).isEqualTo(2);
    }

    @Test
    void aNewerModelOfTheSameShapeSwapsWithoutAStateReset() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(OutputMode.MANY_TO_MANY);
        var offer = s.offer(update("m", 3, bytes(8, 2, OutputType.MANY_TO_MANY)));
        assertThat(offer).isInstanceOfSatisfying(ModelSlot.Swapped.class, w -> assertThat(w.resetState()).isFalse());
        assertThat(s.current().version()).isEqualTo(3);
    }

    @Test
    void aModelOfAnotherStateShapeSwapsAndAsksForAStateReset() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(OutputMode.MANY_TO_MANY);
        var offer = s.offer(update("m", 3, bytes(16, 2, OutputType.MANY_TO_MANY)));
        assertThat(offer).isInstanceOfSatisfying(ModelSlot.Swapped.class, w -> assertThat(w.resetState()).isTrue());
    }

    @Test
    void corruptWeightsAreRefusedWithTheirReasonAndTheOldModelKeepsServing() throws Exception {
        ModelSlot<ServedSequenceModel> s = slot(OutputMode.MANY_TO_MANY);
        ModelUpdate u = update("m", 3, bytes(8, 2, OutputType.MANY_TO_MANY));
        byte[] w = u.getWeights().array().clone();
        w[w.length / 2] ^= 1;
        u.setWeights(ByteBuffer.wrap(w));
        assertThat(s.offer(u)).isEqualTo(new ModelSlot.Refused<>(RejectReason.CHECKSUM,
                ((ModelSlot.Refused<?>) s.offer(u)).detail()));
        assertThat(s.current().version()).isEqualTo(2);
    }

    @Test
    void bytesThatAreNoUpdateAreRefusedAsUndecodable() throws Exception {
        var offer = slot(OutputMode.MANY_TO_MANY).offer(new byte[] {1, 2, 3});
        assertThat(offer).isInstanceOfSatisfying(ModelSlot.Refused.class,
                r -> assertThat(r.reason()).isIn(RejectReason.UNDECODABLE, RejectReason.TRAILING_BYTES));
    }

    @Test
    void aModelTheOutputModeCannotUseIsRefusedAsIncompatible() throws Exception {
        ModelSlot<ServedSequenceModel> s = new ModelSlot<>(new SequenceModelKind(OutputMode.FORECAST),
                ModelUpdates.DEFAULT_MAX_BYTES);
        s.open(bytes(8, 1, OutputType.MANY_TO_MANY), "m", 1);
        SequenceModel wide = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 3, 8, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 1);
        var offer = s.offer(update("m", 2, Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(wide, null, Map.of()))));
        assertThat(offer).isInstanceOfSatisfying(ModelSlot.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.INCOMPATIBLE));
    }

    @Test
    void aFirstModelTheRuntimeCannotServeFailsAtStart() {
        ModelSlot<ServedSequenceModel> s = new ModelSlot<>(new SequenceModelKind(OutputMode.FORECAST),
                ModelUpdates.DEFAULT_MAX_BYTES);
        SequenceModel wide = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 3, 8, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 1);
        assertThatThrownBy(() -> s.open(Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(wide, null, Map.of())), "m", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FORECAST");
    }
}
