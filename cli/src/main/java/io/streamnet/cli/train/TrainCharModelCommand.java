package io.streamnet.cli.train;

import io.streamnet.demo.train.LossProgress;
import io.streamnet.engine.backend.Backends;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.TextCorpus;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.recipe.CharModelTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a next-character model with truncated BPTT and prints a sample. */
@Command(name = "charlm", mixinStandardHelpOptions = true,
        description = "Many-to-many next-character model (Tiny Shakespeare) with TBPTT: validation nats/char and a sample.")
public final class TrainCharModelCommand implements Callable<Integer> {
    @Option(names = "--cell", defaultValue = "lstm", description = "rnn, lstm or gru (default ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--embedding", defaultValue = "48", description = "Embedding width (default ${DEFAULT-VALUE}).")
    int embedding;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden units (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "Stacked layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout between layers (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--streams", defaultValue = "64", description = "Parallel streams = batch (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--k1", defaultValue = "64", description = "TBPTT: steps between updates (default ${DEFAULT-VALUE}).")
    int k1;

    @Option(names = "--k2", defaultValue = "64", description = "TBPTT: steps back-propagated, >= k1 (default ${DEFAULT-VALUE}).")
    int k2;

    @Option(names = "--lr", defaultValue = "0.002", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--max-chars", defaultValue = "0", description = "Use only the first N characters (0: all).")
    int maxChars;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--data", description = "Text file (default: ../shared/datasets/tinyshakespeare/input.txt).")
    Path data;

    @Option(names = "--out", description = "Checkpoint path (default ~/.cache/streamnet/models/charlm-CELL.ckpt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        CharModelTask.Options o = new CharModelTask.Options(CellType.parse(cell), embedding, hidden, layers, dropout,
                epochs, streams, k1, k2, lr, maxChars, seed);
        Path file = data != null ? data : TextCorpus.locateTinyShakespeare();
        CharModelTask.Result r;
        try (LossProgress progress = new LossProgress("char", epochs)) {
            r = CharModelTask.train(Backends.get(), file, o, progress::update);
        }
        System.out.printf("char model %s: %,d characters trained in %.1f s (%,.0f chars/s)%n", cell, r.trainedChars(),
                r.seconds(), r.trainedChars() / r.seconds());
        System.out.printf("validation loss: %.4f nats/char%n", r.validationNatsPerChar());
        Path target = out != null ? out : Models.defaultPath("charlm-" + cell.toLowerCase() + ".ckpt");
        Files.createDirectories(target.toAbsolutePath().getParent());
        r.save(target);
        System.out.println("checkpoint: " + target);
        RnnCheckpoints.Loaded loaded = new RnnCheckpoints.Loaded(r.model(), r.vocabulary(), r.metadata());
        System.out.println("sample (temperature " + temperature + "):");
        System.out.println(CharModelTask.sample(loaded, "ROMEO:\n", 400, temperature, seed));
        return 0;
    }
}
