package io.streamnet.cli.train;

import picocli.CommandLine.Command;

/** {@code streamnet train MODEL}: each model family is a subcommand. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model from files and write a checkpoint.",
        subcommands = {TrainMlpCommand.class, TrainCnnCommand.class, TrainFramesCommand.class, TrainSentimentCommand.class, TrainCharModelCommand.class})
public final class TrainCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
