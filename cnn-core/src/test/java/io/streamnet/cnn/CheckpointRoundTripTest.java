package io.streamnet.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.cnn.layer.BatchNorm;
import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.cnn.zoo.ResNetMini;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.train.ClassifierTrainer;
import io.streamnet.engine.nn.train.TrainingConfig;
import io.streamnet.engine.nn.train.TrainingListener;
import io.streamnet.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CNNs through the engine's checkpoint format: the architecture JSON rebuilds every cnn-core layer
 * (registered through the LayerRegistry plugin), and the loaded model gives the same outputs bit for
 * bit, batch-norm running statistics included.
 */
class CheckpointRoundTripTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @Test
    void architectureJsonRoundTrips() throws Exception {
        for (Sequential m : new Sequential[] {LeNet5.build(cpu, 3), ResNetMini.build(cpu, 3, 2)}) {
            String json = new ObjectMapper().writeValueAsString(m.architecture());
            JsonNode parsed = new ObjectMapper().readTree(json);
            Sequential rebuilt = Sequential.fromArchitecture(cpu, parsed, 99);
            assertThat(rebuilt.architecture()).isEqualTo(m.architecture());
            assertThat(rebuilt.store().values().keySet()).containsExactlyElementsOf(m.store().values().keySet());
            assertThat(rebuilt.summary()).isEqualTo(m.summary());
        }
    }

    @Test
    void leNetSavesAndLoadsBitForBit(@TempDir Path dir) throws Exception {
        Sequential m = LeNet5.build(cpu, 5);
        trainBriefly(m, 6);
        assertSameOutputsAfterReload(m, dir.resolve("lenet5.ckpt"));
    }

    @Test
    void resNetSavesAndLoadsBitForBitWithRunningStatistics(@TempDir Path dir) throws Exception {
        Sequential m = ResNetMini.build(cpu, 7);
        trainBriefly(m, 8);
        BatchNorm bn = (BatchNorm) m.layers().get(1);
        assertThat(bn.runningMean().at(0)).as("running mean moved in training").isNotEqualTo(0f);
        Sequential loaded = assertSameOutputsAfterReload(m, dir.resolve("resnet.ckpt"));
        BatchNorm bn2 = (BatchNorm) loaded.layers().get(1);
        assertThat(bn2.runningMean().toArray()).isEqualTo(bn.runningMean().toArray());
        assertThat(bn2.runningVar().toArray()).isEqualTo(bn.runningVar().toArray());
    }

    private Sequential assertSameOutputsAfterReload(Sequential m, Path file) throws Exception {
        ModelCheckpoints.save(m, Map.of("model", "test"), file);
        Sequential loaded = ModelCheckpoints.load(cpu, file);
        assertThat(loaded.architecture()).isEqualTo(m.architecture());
        Tensor x = GradCheck.random(new Random(11), 1f, 5, 1, 28, 28);
        float[] expected = m.forward(x, false).toArray();
        float[] actual = loaded.forward(x, false).toArray();
        assertThat(actual).isEqualTo(expected);
        return loaded;
    }

    private void trainBriefly(Sequential m, long seed) {
        Random rng = new Random(seed);
        int n = 64;
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat();
        }
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(10);
        }
        new ClassifierTrainer(cpu).fit(m, new Adam(cpu, LearningRateSchedule.constant(1e-3f)), x, y, n,
                new int[] {1, 28, 28}, new TrainingConfig(1, 16, seed, 0f), TrainingListener.NONE);
    }
}
