package io.streamnet.cnn.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.train.ClassifierTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short learning run on real data: LeNet-5 on the first 10k Fashion-MNIST training images for
 * two epochs (626 steps of 32), scored on the first 2k images of the official test set (one epoch
 * alone measured 0.8155, too close to the bar to be robust to kernel-order rounding). A broken layer (wrong gradient,
 * wrong im2col, wrong pooling routing) stays far below the bar; a working one clears it.
 */
class FashionMnistCnnTest {
    @Test
    void leNet5LearnsFashionMnistInOneShortEpoch(@TempDir Path dir) throws Exception {
        CpuBackend cpu = CpuBackend.instance();
        DatasetLocator data = DatasetLocator.standard();
        FashionMnist train = FashionMnist.loadTrain(data, 10_000);
        FashionMnist test = FashionMnist.loadTest(data, 2_000);
        List<FashionMnistCnn.EpochReport> reports = new ArrayList<>();
        int[] batches = new int[1];
        FashionMnistCnn.Result r = FashionMnistCnn.train("lenet5", train, test, 2, 32, 2e-3f, 1, cpu,
                new FashionMnistCnn.ProgressListener() {
                    @Override
                    public void batchDone(int epoch, int batch, int batchesPerEpoch, float loss) {
                        batches[0]++;
                    }

                    @Override
                    public void epochDone(FashionMnistCnn.EpochReport report) {
                        reports.add(report);
                    }
                });
        System.out.println(r);
        assertThat(batches[0]).isEqualTo(2 * 313);
        assertThat(reports).hasSize(2);
        assertThat(r.model()).isEqualTo(LeNet5.NAME);
        assertThat(r.testAccuracy()).isEqualTo(reports.get(1).testAccuracy()).isGreaterThan(0.80);

        Path file = dir.resolve("lenet5.ckpt");
        r.writeCheckpoint(file);
        Sequential loaded = ModelCheckpoints.load(cpu, file);
        double reloaded = new ClassifierTrainer(cpu).accuracy(loaded, test.images(), test.labels(), test.count(),
                loaded.inputShape(), 100);
        assertThat(reloaded).isEqualTo(r.testAccuracy());
    }
}
