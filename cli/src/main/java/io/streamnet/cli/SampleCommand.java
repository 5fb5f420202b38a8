package io.streamnet.cli;

import io.streamnet.engine.backend.Backends;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.recipe.CharModelTask;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One-to-many generation from a character model. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Generate text from a character model checkpoint.")
public final class SampleCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Character model checkpoint.")
    Path model;

    @Option(names = "--prompt", defaultValue = "ROMEO:\n", description = "Text to start from.")
    String prompt;

    @Option(names = "--length", defaultValue = "500", description = "Characters to generate (default ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Below 1 sharper, above 1 wilder (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        RnnCheckpoints.Loaded loaded = RnnCheckpoints.load(Backends.get(), model);
        System.out.print(prompt);
        System.out.println(CharModelTask.sample(loaded, prompt, length, temperature, seed));
        return 0;
    }
}
