package io.streamnet.cli;

import io.streamnet.engine.backend.Backends;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.recipe.CharModelTask;
import io.streamnet.rnn.recipe.SentimentTask;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Evaluates a checkpoint on a data file; the checkpoint says what kind of model it is. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on a file: sentiment accuracy on 'sentence<TAB>label' lines, or "
                + "nats/char of a character model on plain text.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Checkpoint written by 'streamnet train'.")
    Path model;

    @Option(names = "--data", required = true, description = "Data file of the model's format.")
    Path data;

    @Override
    public Integer call() throws Exception {
        RnnCheckpoints.Loaded loaded = RnnCheckpoints.load(Backends.get(), model);
        if (loaded.model().config().outputType() == OutputType.MANY_TO_ONE) {
            System.out.printf("accuracy: %.4f on %s%n", SentimentTask.evaluate(loaded, data), data);
        } else {
            System.out.printf("loss: %.4f nats/char on %s%n", CharModelTask.evaluate(loaded, data), data);
        }
        return 0;
    }
}
