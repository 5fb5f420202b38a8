package io.streamnet.serving.model;

import static io.streamnet.serving.frame.FrameFixtures.bytes;
import static io.streamnet.serving.frame.FrameFixtures.cnn;
import static io.streamnet.serving.frame.FrameFixtures.smoother;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.serving.frame.FrameFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frame model checkpoints: a CNN and its smoother travel together, and every mismatch is refused before serving. */
class ServedFrameModelTest {
    private static ServedFrameModel load(byte[] b) throws CheckpointException {
        return ServedFrameModel.load(CpuBackend.instance(), b, null, -1);
    }

    @Test
    void aCompositeCheckpointLoadsBothPartsWithTheirWeights() throws Exception {
        var net = cnn(1);
        var rnn = smoother(6, 2);
        ServedFrameModel m = load(bytes(net, rnn, "frames", 4));
        assertThat(m.modelId()).isEqualTo("frames");
        assertThat(m.version()).isEqualTo(4);
        assertThat(m.inputShape()).containsExactly(1, 8, 8);
        assertThat(m.featureSize()).isEqualTo(FrameFixtures.FEATURES);
        assertThat(m.classes()).isEqualTo(FrameFixtures.CLASSES);
        assertThat(m.hasSmoother()).isTrue();
        net.store().values().forEach((name, t) ->
                assertThat(m.cnn().store().values().get(name).toArray()).as(name).containsExactly(t.toArray()));
        rnn.store().values().forEach((name, t) ->
                assertThat(m.smoother().store().values().get(name).toArray()).as(name).containsExactly(t.toArray()));
    }

    @Test
    void aPlainCnnCheckpointIsAFrameModelWithoutSmoother() throws Exception {
        byte[] plain = Checkpoints.toBytes(ModelCheckpoints.toCheckpoint(cnn(1), Map.of("model.id", "lenet5")));
        ServedFrameModel m = load(plain);
        assertThat(m.hasSmoother()).isFalse();
        assertThat(m.modelId()).isEqualTo("lenet5");
    }

    @Test
    void aSmootherThatReadsOtherFeaturesIsRefused() {
        SequenceModel wrong = new SequenceModel(CpuBackend.instance(), ModelConfig.features(CellType.GRU, 7, 6, 1, 0f,
                FrameFixtures.CLASSES, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 1);
        assertThatThrownBy(() -> load(bytes(cnn(1), wrong, "frames", 1)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("many-to-many classifier of 12 features");
    }

    @Test
    void aCnnThatDoesNotEndInADenseLayerIsRefused() {
        var net = CnnBuilder.of(CpuBackend.instance(), 1, 1, 8, 8).conv(2, 3, 1, 1).relu().flatten().build();
        assertThatThrownBy(() -> load(bytes(net, null, "frames", 1)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("dense classifier");
    }

    @Test
    void aCorruptedCompositeFailsItsChecksum() {
        byte[] b = bytes(cnn(1), smoother(6, 2), "frames", 1);
        b[b.length - 5] ^= 0x40;
        assertThatThrownBy(() -> load(b)).isInstanceOf(CheckpointException.class);
    }
}
