package io.streamnet.cli;

import io.streamnet.cli.demo.DemoCommand;
import io.streamnet.cli.jobs.KeygenCommand;
import io.streamnet.cli.jobs.PublishModelCommand;
import io.streamnet.cli.jobs.RunCommand;
import io.streamnet.cli.jobs.ClusterCommand;
import io.streamnet.cli.jobs.SubmitCommand;
import io.streamnet.cli.kafka.KafkaCommand;
import io.streamnet.cli.kafka.ProduceCommand;
import io.streamnet.cli.kafka.TailCommand;
import io.streamnet.cli.train.TrainCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code streamnet} command: each subcommand is wiring into the modules below. {@code streams} and
 * {@code bench} are found at run time ({@link OptionalCommands}), so {@link #commandLine} adds them.
 */
@Command(name = "streamnet", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Recurrent and convolutional neural networks inside a stream processor.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, SampleCommand.class,
                KafkaCommand.class, ProduceCommand.class, TailCommand.class, RunCommand.class,
                SubmitCommand.class, ClusterCommand.class, io.streamnet.cli.jobs.JobJarsCommand.class,
                io.streamnet.cli.kafka.TopicsCommand.class, PublishModelCommand.class, KeygenCommand.class, BackendCommand.class,
                io.streamnet.cli.dashboard.DashboardCommand.class, ImportCommand.class, ExportCommand.class})
public final class StreamnetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error handling: a bad setting or an unusable file (what the user can
     * fix) prints one line and exits 2; anything else keeps its stack trace.
     */
    public static CommandLine commandLine() {
        // picocli's own @FILE would split a file into arguments (a JAAS line into pieces) and keep a missing
        // file's name as the value; the options that take secrets read @FILE themselves (SecretArgument)
        CommandLine cli = new CommandLine(new StreamnetCommand());
        OptionalCommands.register(cli);
        cli.addSubcommand(new CommandLine.HelpCommand()); // last in the list, as before
        // the settings below reach the subcommands there are now: they are all added above
        return cli.setExpandAtFiles(false).setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof io.streamnet.interop.ImportException
                    || ex instanceof io.streamnet.interop.safetensors.SafeTensorsException) {
                cmd.getErr().println("streamnet " + cmd.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
    }
}
