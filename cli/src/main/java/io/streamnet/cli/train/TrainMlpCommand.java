package io.streamnet.cli.train;

import io.streamnet.cli.progress.TrainingProgress;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.train.ClassifierTrainer;
import io.streamnet.engine.nn.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains the Fashion-MNIST MLP (784-H-10, ReLU) with a progress bar, reports accuracy on the
 * official 10k test set and writes a checkpoint.
 */
@Command(name = "mlp", mixinStandardHelpOptions = true,
        description = "Train a Fashion-MNIST MLP on real data and report its test accuracy.")
public final class TrainMlpCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "5", description = "Training epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "100", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden units (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--lr", defaultValue = "0.002", description = "Peak Adam learning rate, cosine-decayed (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data-dir", description = "Directory holding the four Fashion-MNIST .gz files "
            + "(default: Debian package dir, ~/.cache/streamnet, else download).")
    Path dataDir;

    @Option(names = "--out", description = "Checkpoint to write (default ~/.cache/streamnet/models/fashion-mlp.ckpt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (epochs <= 0 || batch <= 0 || hidden <= 0 || !(lr > 0f)) {
            System.err.println("epochs, batch, hidden and lr must be positive");
            return 2;
        }
        Backend backend = Backends.get();
        DatasetLocator locator = dataDir == null ? DatasetLocator.standard() : DatasetLocator.standard(dataDir);
        FashionMnist train = FashionMnist.loadTrain(locator);
        FashionMnist test = FashionMnist.loadTest(locator);
        System.out.printf("Fashion-MNIST: %,d training and %,d test images (%dx%d), backend %s%n",
                train.count(), test.count(), train.rows(), train.cols(), backend.name());

        int features = train.pixelsPerImage();
        Sequential model = Sequential.builder(backend, seed, features)
                .dense(hidden, Initializer.HE_NORMAL).activation(Activation.RELU)
                .dense(FashionMnist.NUM_CLASSES, Initializer.XAVIER_UNIFORM)
                .build();
        System.out.print(model.summary());

        ClassifierTrainer trainer = new ClassifierTrainer(backend);
        long steps = (long) epochs * ((train.count() + batch - 1) / batch);
        long t0 = System.nanoTime();
        try (TrainingProgress progress = new TrainingProgress(epochs, train.count())) {
            trainer.fit(model, new Adam(backend, LearningRateSchedule.cosine(lr, steps, lr / 20)), train.images(),
                    train.labels(), train.count(), new int[] {features}, new TrainingConfig(epochs, batch, seed, 0f),
                    progress);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double acc = trainer.accuracy(model, test.images(), test.labels(), test.count(), new int[] {features}, 500);
        System.out.printf("trained %d epochs in %.1f s (%,.0f images/s)%n", epochs, seconds,
                epochs * (double) train.count() / seconds);
        System.out.printf("test accuracy: %.4f on the official %,d-image test set%n", acc, test.count());

        Path target = out != null ? out : Models.defaultPath("fashion-mlp.ckpt");
        Files.createDirectories(target.toAbsolutePath().getParent());
        ModelCheckpoints.save(model, Map.of("model.id", "fashion-mlp", "test.accuracy", String.format("%.4f", acc),
                "epochs", Integer.toString(epochs)), target);
        System.out.println("checkpoint: " + target);
        return 0;
    }
}
