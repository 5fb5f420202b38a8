package io.streamnet.engine.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.GradCheck;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointsTest {
    private final CpuBackend cpu = CpuBackend.instance();

    private Sequential mlp(long seed, int hidden) {
        return Sequential.builder(cpu, seed, 6)
                .dense(hidden, Initializer.HE_NORMAL).activation(Activation.leakyRelu(0.2f))
                .dense(3, Initializer.XAVIER_UNIFORM)
                .build();
    }

    @Test
    void savedModelReloadsWithIdenticalPredictions(@TempDir Path dir) throws Exception {
        Sequential model = mlp(5, 8);
        Path file = dir.resolve("mlp.ckpt");
        ModelCheckpoints.save(model, Map.of("model.id", "test"), file);
        Sequential loaded = ModelCheckpoints.load(cpu, file);
        Tensor x = GradCheck.random(new Random(1), 1f, 4, 6);
        assertThat(loaded.forward(x, false).toArray()).containsExactly(model.forward(x, false).toArray());
        assertThat(loaded.architecture()).isEqualTo(model.architecture());
        assertThat(Checkpoints.read(file).metadata()).containsEntry("model.id", "test");
    }

    @Test
    void weightsOfAnotherShapeAreRejected() {
        Checkpoint wide = ModelCheckpoints.toCheckpoint(mlp(5, 8), Map.of());
        Checkpoint narrowArchWideWeights = Checkpoint.of(mlp(5, 4).architecture(), Map.of(), wide.tensors());
        assertThatThrownBy(() -> ModelCheckpoints.fromCheckpoint(cpu, narrowArchWideWeights))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> assertThat(((CheckpointException) e).reason()).isEqualTo(CheckpointException.Reason.SHAPE_MISMATCH))
                .hasMessageContaining("l0.weight");
    }

    @Test
    void unknownLayerTypeIsAMalformedArchitecture() {
        var arch = mlp(5, 8).architecture();
        ((com.fasterxml.jackson.databind.node.ObjectNode) arch.withArray("layers").get(0)).put("type", "mystery");
        Checkpoint c = Checkpoint.of(arch, Map.of(), Map.of());
        assertThatThrownBy(() -> ModelCheckpoints.fromCheckpoint(cpu, c))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("mystery");
    }
}
