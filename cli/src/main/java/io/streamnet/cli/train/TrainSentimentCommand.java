package io.streamnet.cli.train;

import io.streamnet.demo.train.LossProgress;
import io.streamnet.engine.backend.Backends;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.recipe.SentimentTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains the many-to-one sentiment model on the UCI sentences. */
@Command(name = "sentiment", mixinStandardHelpOptions = true,
        description = "Many-to-one sentiment (UCI sentences): train, report validation/test accuracy, write a checkpoint.")
public final class TrainSentimentCommand implements Callable<Integer> {
    @Option(names = "--cell", defaultValue = "gru", description = "rnn, lstm or gru (default ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--embedding", defaultValue = "32", description = "Embedding width (default ${DEFAULT-VALUE}).")
    int embedding;

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden units (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "Stacked layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout between layers (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--epochs", defaultValue = "30", description = "Most epochs (default ${DEFAULT-VALUE}; early stopping ends sooner).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Sentences per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", defaultValue = "3", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Directory of the three *_labelled.txt files (default: ../shared/datasets/sentiment).")
    Path data;

    @Option(names = "--weight-decay", defaultValue = "0.001", description = "Adam's L2 weight decay (default ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--embedding-dropout", defaultValue = "0.5", description = "Dropout on the embedded words while training; 0.5 had the best mean validation accuracy over 3 seeds x 5 folds (default ${DEFAULT-VALUE}).")
    float embeddingDropout;

    @Option(names = "--patience", defaultValue = "5", description = "Early stopping: stop after N epochs without a better validation accuracy and keep the best weights (default ${DEFAULT-VALUE}; 0: train all --epochs).")
    int patience;

    @Option(names = "--refit", description = "After early stopping, train a fresh model on training + validation data for the chosen epochs (what is saved, or scored per fold).")
    boolean refit;

    @Option(names = "--folds", defaultValue = "0", description = "Instead of training one model: k-fold cross-validation (stratified, fixed seeds), printing each fold's test accuracy and their mean and spread.")
    int folds;

    @Option(names = "--out", description = "Checkpoint path (default ~/.cache/streamnet/models/sentiment-CELL.ckpt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SentimentTask.Options o = new SentimentTask.Options(CellType.parse(cell), embedding, hidden, layers, dropout,
                epochs, batch, lr, 4000, seed, weightDecay, embeddingDropout);
        Path dir = data != null ? data : SentimentDataset.locate();
        if (folds > 0) {
            long t0 = System.nanoTime();
            SentimentTask.CrossValidation cv = SentimentTask.crossValidate(Backends.get(), SentimentDataset.loadAll(dir),
                    o, folds, patience, refit, SentimentTask.SPLIT_SEED);
            for (int f = 0; f < folds; f++) {
                System.out.printf("fold %d: test accuracy %.4f (validation %.4f)%n", f + 1, cv.test()[f],
                        cv.validation()[f]);
            }
            System.out.printf("%d-fold test accuracy: mean %.4f, std %.4f, min %.4f, max %.4f; validation mean %.4f"
                    + " (%s, %.0f s)%n", folds, cv.mean(), cv.std(), cv.min(), cv.max(), cv.meanValidation(), cell,
                    (System.nanoTime() - t0) / 1e9);
            return 0;
        }
        SentimentTask.Result r;
        try (LossProgress progress = new LossProgress("sent", epochs)) {
            SentimentDataset.Split split = SentimentDataset.split(SentimentDataset.loadAll(dir), 0.7, 0.15,
                    SentimentTask.SPLIT_SEED);
            r = refit ? SentimentTask.trainThenRefit(Backends.get(), split, o, patience, progress::update)
                    : SentimentTask.train(Backends.get(), split, o, patience, progress::update);
        }
        System.out.printf("sentiment %s: %d training sentences, %d epochs in %.1f s%n", cell, r.trainSize(), r.epochs(),
                r.seconds());
        System.out.printf("validation accuracy: %.4f%ntest accuracy: %.4f%n", r.validationAccuracy(), r.testAccuracy());
        Path target = out != null ? out : Models.defaultPath("sentiment-" + cell.toLowerCase() + ".ckpt");
        Files.createDirectories(target.toAbsolutePath().getParent());
        r.save(target);
        System.out.println("checkpoint: " + target);
        return 0;
    }
}
