package io.streamnet.engine.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.train.ClassifierTrainer;
import io.streamnet.engine.nn.train.TrainingConfig;
import io.streamnet.engine.nn.train.TrainingListener;
import org.junit.jupiter.api.Test;

/** XOR is not linearly separable: a model without a working hidden layer and backward pass cannot learn it. */
class XorTest {
    private static final float[] X = {0, 0, 0, 1, 1, 0, 1, 1};
    private static final int[] Y = {0, 1, 1, 0};

    @Test
    void mlpWithOneHiddenTanhLayerLearnsXor() {
        CpuBackend cpu = CpuBackend.instance();
        Sequential model = Sequential.builder(cpu, 11, 2)
                .dense(8, Initializer.XAVIER_UNIFORM).activation(Activation.TANH)
                .dense(2, Initializer.XAVIER_UNIFORM)
                .build();
        ClassifierTrainer trainer = new ClassifierTrainer(cpu);
        float loss = trainer.fit(model, new Adam(cpu, LearningRateSchedule.constant(0.05f)), X, Y, 4, new int[] {2},
                new TrainingConfig(300, 4, 1, 0f), TrainingListener.NONE);
        assertThat(loss).isLessThan(0.05f);
        assertThat(trainer.accuracy(model, X, Y, 4, new int[] {2}, 4)).isEqualTo(1.0);
    }
}
