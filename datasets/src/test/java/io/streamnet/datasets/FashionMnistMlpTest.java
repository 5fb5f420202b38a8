package io.streamnet.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.train.ClassifierTrainer;
import io.streamnet.engine.nn.train.TrainingConfig;
import io.streamnet.engine.nn.train.TrainingListener;
import org.junit.jupiter.api.Test;

/**
 * The classic 784-256-10 ReLU MLP on real Fashion-MNIST, scored on the official 10k test set that it
 * never trains on. A broken layer, loss or optimizer stays far below the bar.
 */
class FashionMnistMlpTest {
    @Test
    void mlpReachesAtLeast85PercentOnTheOfficialTestSet() throws Exception {
        CpuBackend cpu = CpuBackend.instance();
        DatasetLocator data = DatasetLocator.standard();
        FashionMnist train = FashionMnist.loadTrain(data);
        FashionMnist test = FashionMnist.loadTest(data);
        Sequential model = Sequential.builder(cpu, 1, 784)
                .dense(256, Initializer.HE_NORMAL).activation(Activation.RELU)
                .dense(10, Initializer.XAVIER_UNIFORM)
                .build();
        ClassifierTrainer trainer = new ClassifierTrainer(cpu);
        long t0 = System.nanoTime();
        int epochs = 4;
        int batch = 100;
        long steps = (long) epochs * (train.count() / batch);
        trainer.fit(model, new Adam(cpu, LearningRateSchedule.cosine(2e-3f, steps, 1e-4f)), train.images(),
                train.labels(), train.count(), new int[] {784}, new TrainingConfig(epochs, batch, 7, 0f),
                TrainingListener.NONE);
        double acc = trainer.accuracy(model, test.images(), test.labels(), test.count(), new int[] {784}, 500);
        System.out.printf("Fashion-MNIST MLP 784-256-10: test accuracy %.4f after %d epochs, %.1f s%n",
                acc, epochs, (System.nanoTime() - t0) / 1e9);
        assertThat(acc).isGreaterThanOrEqualTo(0.85);
    }
}
