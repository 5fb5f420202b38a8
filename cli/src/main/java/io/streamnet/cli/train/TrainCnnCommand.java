package io.streamnet.cli.train;

import io.streamnet.demo.train.LossProgress;
import io.streamnet.cnn.train.FashionMnistCnn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Trains a zoo CNN (LeNet-5, ResNet-mini) on Fashion-MNIST, reporting test accuracy per epoch. */
@Command(name = "cnn", mixinStandardHelpOptions = true,
        description = "Train a CNN from the zoo (lenet5, resnet-mini) on Fashion-MNIST; test accuracy per epoch; checkpoint.")
public final class TrainCnnCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "lenet5 or resnet-mini.")
    String model;

    @Option(names = "--epochs", defaultValue = "15", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.002", description = "Peak Adam learning rate, cosine-decayed (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", description = "Checkpoint path (default ~/.cache/streamnet/models/MODEL.ckpt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || batch < 1 || !(lr > 0f)) {
            System.err.println("--epochs, --batch and --lr must be positive");
            return 2;
        }
        FashionMnistCnn.Result r;
        try (LossProgress progress = new LossProgress("batches", epochs)) {
            r = FashionMnistCnn.train(model, epochs, batch, lr, seed, new FashionMnistCnn.ProgressListener() {
                @Override
                public void started(String m, io.streamnet.engine.nn.layer.Sequential network, int trainExamples,
                                    int testExamples, int ep, int perEpoch) {
                    System.out.print(network.summary());
                }

                @Override
                public void batchDone(int epoch, int b, int perEpoch, float loss) {
                    progress.update(epoch, b + 1, perEpoch, loss);
                }

                @Override
                public void epochDone(FashionMnistCnn.EpochReport report) {
                    System.out.println(report);
                }
            });
        }
        System.out.printf("%s: test accuracy %.4f after %d epochs, %.1f s%n", model, r.testAccuracy(), epochs,
                r.seconds());
        Path target = out != null ? out : Models.defaultPath(model + ".ckpt");
        Files.createDirectories(target.toAbsolutePath().getParent());
        r.writeCheckpoint(target);
        System.out.println("checkpoint: " + target);
        return 0;
    }
}
