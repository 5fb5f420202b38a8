package io.streamnet.cli.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code streamnet train MODEL}: each model family is a subcommand. {@code streamnet train --model
 * lenet5|resnet-mini [options]} is the same as {@code streamnet train cnn MODEL [options]}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model from files and write a checkpoint.",
        subcommands = {TrainMlpCommand.class, TrainCnnCommand.class, TrainFramesCommand.class, TrainSentimentCommand.class,
                TrainCharModelCommand.class})
public final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", description = "A zoo CNN to train on Fashion-MNIST (lenet5, resnet-mini): 'train cnn MODEL'.")
    String model;

    @Unmatched
    List<String> rest = new ArrayList<>();

    @Override
    public Integer call() {
        if (model == null) {
            if (!rest.isEmpty()) {
                spec.commandLine().getErr().println("unknown arguments: " + String.join(" ", rest));
                spec.commandLine().usage(spec.commandLine().getErr());
                return 2;
            }
            spec.commandLine().usage(System.out);
            return 0;
        }
        List<String> args = new ArrayList<>(List.of(model));
        args.addAll(rest);
        return new CommandLine(new TrainCnnCommand()).execute(args.toArray(String[]::new));
    }
}
