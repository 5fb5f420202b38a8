package io.streamnet.cli.train;

import io.streamnet.cli.progress.LossProgress;
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

    @Option(names = "--epochs", defaultValue = "6", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Sentences per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", defaultValue = "3", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", description = "Directory of the three *_labelled.txt files (default: ../shared/datasets/sentiment).")
    Path data;

    @Option(names = "--out", description = "Checkpoint path (default ~/.cache/streamnet/models/sentiment-CELL.ckpt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SentimentTask.Options o = new SentimentTask.Options(CellType.parse(cell), embedding, hidden, layers, dropout,
                epochs, batch, lr, 4000, seed);
        Path dir = data != null ? data : SentimentDataset.locate();
        SentimentTask.Result r;
        try (LossProgress progress = new LossProgress("sent", epochs)) {
            r = SentimentTask.train(Backends.get(), dir, o, progress::update);
        }
        System.out.printf("sentiment %s: %d training sentences, %d epochs in %.1f s%n", cell, r.trainSize(), epochs,
                r.seconds());
        System.out.printf("validation accuracy: %.4f%ntest accuracy: %.4f%n", r.validationAccuracy(), r.testAccuracy());
        Path target = out != null ? out : Models.defaultPath("sentiment-" + cell.toLowerCase() + ".ckpt");
        Files.createDirectories(target.toAbsolutePath().getParent());
        r.save(target);
        System.out.println("checkpoint: " + target);
        return 0;
    }
}
