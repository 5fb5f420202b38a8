package io.streamnet.cnn.train;

import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.cnn.zoo.ModelZoo;
import io.streamnet.cnn.zoo.ResNetMini;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.train.ClassifierTrainer;
import io.streamnet.engine.nn.train.TrainingConfig;
import io.streamnet.engine.nn.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a zoo CNN ("lenet5" or "resnet-mini") on the Fashion-MNIST training set (60k) and scores
 * it on the official 10k test set, which it never trains on. Adam with a cosine learning-rate decay
 * from {@code lr} to {@code lr / 100} over all steps; the data are shuffled per epoch with
 * {@code seed + epoch}; the test accuracy is measured after every epoch (reported, never used to
 * pick a model: the result is the last epoch's).
 *
 * <p>Entry points: {@link #train(String, int, int, float, long, ProgressListener)} and
 * {@link Result#writeCheckpoint(Path)}; {@link #main} for a run from the command line:
 * {@code FashionMnistCnn <model> [epochs] [batch] [lr] [seed] [checkpoint]}.
 */
public final class FashionMnistCnn {
    /** Test batches: fixed, so that evaluation does not resize the layers' buffers beyond this. */
    public static final int EVAL_BATCH = 100;

    private FashionMnistCnn() {
    }

    /** Progress callbacks; every method has an empty default. */
    public interface ProgressListener {
        ProgressListener NONE = new ProgressListener() {
        };

        default void started(String model, Sequential network, int trainExamples, int testExamples, int epochs,
                             int batchesPerEpoch) {
        }

        default void batchDone(int epoch, int batch, int batchesPerEpoch, float loss) {
        }

        default void epochDone(EpochReport report) {
        }
    }

    /** One epoch: mean training loss, test accuracy after it, and seconds since the start of training. */
    public record EpochReport(int epoch, int epochs, float meanLoss, double testAccuracy, double elapsedSeconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, test accuracy %.4f, %.1f s", epoch + 1, epochs,
                    meanLoss, testAccuracy, elapsedSeconds);
        }
    }

    /** The trained network and its figures; {@code seconds} is the training and evaluation wall time. */
    public record Result(String model, Sequential network, int epochs, int batchSize, float learningRate, long seed,
                         int trainExamples, int testExamples, double testAccuracy, double seconds,
                         List<EpochReport> history) {
        public Map<String, String> metadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("dataset", "fashion-mnist");
            m.put("epochs", Integer.toString(epochs));
            m.put("batch", Integer.toString(batchSize));
            m.put("lr", Float.toString(learningRate));
            m.put("seed", Long.toString(seed));
            m.put("train_examples", Integer.toString(trainExamples));
            m.put("test_examples", Integer.toString(testExamples));
            m.put("test_accuracy", String.format(Locale.ROOT, "%.4f", testAccuracy));
            m.put("input_shape", "1,28,28");
            return m;
        }

        /** Writes the network (architecture, weights, batch-norm running statistics) and {@link #metadata()}. */
        public void writeCheckpoint(Path path) throws IOException {
            ModelCheckpoints.save(network, metadata(), path);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: test accuracy %.4f on %d images after %d epochs (batch %d, lr %s, seed %d), %.1f s",
                    model, testAccuracy, testExamples, epochs, batchSize, learningRate, seed, seconds);
        }
    }

    /** Trains on the full training set and scores on the full test set, found by {@link DatasetLocator#standard()}. */
    public static Result train(String model, int epochs, int batch, float lr, long seed, ProgressListener listener)
            throws IOException {
        DatasetLocator data = DatasetLocator.standard();
        return train(model, FashionMnist.loadTrain(data), FashionMnist.loadTest(data), epochs, batch, lr, seed,
                Backends.get(), listener);
    }

    public static Result train(String model, FashionMnist train, FashionMnist test, int epochs, int batch, float lr,
                               long seed, Backend backend, ProgressListener listener) {
        if (epochs <= 0 || batch <= 1 || !(lr > 0f)) {
            throw new IllegalArgumentException("need epochs > 0, batch > 1, lr > 0; got " + epochs + ", " + batch + ", " + lr);
        }
        if (train.rows() != 28 || train.cols() != 28) {
            throw new IllegalArgumentException("the zoo's Fashion-MNIST models take 28x28 images, got "
                    + train.rows() + "x" + train.cols());
        }
        Sequential network = ModelZoo.build(model, backend, seed);
        int[] shape = network.inputShape();
        if (!java.util.Arrays.equals(shape, new int[] {1, 28, 28})) {
            throw new IllegalArgumentException("model '" + model + "' takes " + java.util.Arrays.toString(shape)
                    + " inputs, not Fashion-MNIST's [1, 28, 28]");
        }
        int n = train.count();
        int batches = (n + batch - 1) / batch;
        Adam adam = new Adam(backend, LearningRateSchedule.cosine(lr, (long) epochs * batches, lr / 100f));
        ClassifierTrainer trainer = new ClassifierTrainer(backend);
        listener.started(model, network, n, test.count(), epochs, batches);
        List<EpochReport> history = new ArrayList<>();
        long t0 = System.nanoTime();
        double accuracy = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            final int e = epoch;
            float loss = trainer.fit(network, adam, train.images(), train.labels(), n, shape,
                    new TrainingConfig(1, batch, seed + epoch, 0f), new TrainingListener() {
                        @Override
                        public void batchDone(int ignored, int b, int per, float l, int examples) {
                            listener.batchDone(e, b, per, l);
                        }
                    });
            accuracy = trainer.accuracy(network, test.images(), test.labels(), test.count(), shape,
                    Math.min(EVAL_BATCH, Math.max(1, test.count())));
            EpochReport r = new EpochReport(epoch, epochs, loss, accuracy, (System.nanoTime() - t0) / 1e9);
            history.add(r);
            listener.epochDone(r);
        }
        return new Result(canonical(model), network, epochs,
                batch, lr, seed, n, test.count(), accuracy, (System.nanoTime() - t0) / 1e9, List.copyOf(history));
    }

    private static String canonical(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        return m.startsWith("lenet") ? LeNet5.NAME : m.startsWith("resnet") ? ResNetMini.NAME : m;
    }

    /** {@code <model> [epochs] [batch] [lr] [seed] [checkpoint]}; prints each epoch and the result. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: FashionMnistCnn lenet5|resnet-mini [epochs] [batch] [lr] [seed] [checkpoint]");
            System.exit(2);
        }
        String model = args[0];
        boolean lenet = canonical(model).equals(LeNet5.NAME);
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : lenet ? 15 : 10;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : lenet ? 64 : 128;
        float lr = args.length > 3 ? Float.parseFloat(args[3]) : lenet ? 2e-3f : 3e-3f;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1L;
        Result r = train(model, epochs, batch, lr, seed, new ProgressListener() {
            @Override
            public void started(String m, Sequential network, int trainExamples, int testExamples, int ep, int per) {
                System.out.print(network.summary());
                System.out.printf("training %s on %d images, testing on %d; %d epochs of %d batches%n", m, trainExamples,
                        testExamples, ep, per);
            }

            @Override
            public void epochDone(EpochReport report) {
                System.out.println(report);
            }
        });
        System.out.println(r);
        if (args.length > 5) {
            r.writeCheckpoint(Path.of(args[5]));
            System.out.println("checkpoint written to " + args[5]);
        }
    }
}
