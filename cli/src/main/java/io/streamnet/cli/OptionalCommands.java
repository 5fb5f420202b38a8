package io.streamnet.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * The commands whose code lives in a module the cli does not depend on, found at run time: the
 * performance report ({@code bench}, with JMH and the plots) and the Kafka Streams app
 * ({@code streams}, with Kafka Streams' RocksDB, which must not share a classpath with Flink's).
 * The launcher puts a command's module on the classpath for that command only; without it, the
 * command says how to get it and exits 2.
 */
final class OptionalCommands {
    /** A command: its name, its class in its module, that module, and what it does (for the help). */
    record ModuleCommand(String name, String className, String module, String description) {
    }

    static final List<ModuleCommand> ALL = List.of(
            new ModuleCommand("streams", "io.streamnet.kafka.streams.StreamsCommand", "kafka-streams",
                    "Run the Kafka Streams per-key RNN app (exactly-once): text-events or step-events -> predictions, "
                            + "bad records -> dead-letters."),
            new ModuleCommand("bench", "io.streamnet.bench.BenchCommand", "benchmarks",
                    "Run the performance comparisons (interleaved, this machine) into DIR/report.md with PNG plots."));

    private OptionalCommands() {
    }

    /** Adds each command: its own when its module is on the classpath, else one that explains. */
    static void register(CommandLine root) {
        for (ModuleCommand c : ALL) {
            Object command = load(c.className());
            if (command != null) {
                root.addSubcommand(c.name(), command);
            } else {
                CommandLine missing = new CommandLine(new Missing(c));
                missing.getCommandSpec().usageMessage()
                        .description(c.description(), "", "Not here: " + Missing.howToGet(c));
                root.addSubcommand(c.name(), missing);
            }
        }
    }

    /** The command object, or null when its class (or a class it needs) is not on the classpath. */
    static Object load(String className) {
        try {
            return Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the command " + className, e);
        }
    }

    /** Stands for a command whose module is not on the classpath: it takes any arguments and explains. */
    @Command(mixinStandardHelpOptions = true)
    static final class Missing implements Callable<Integer> {
        private final ModuleCommand command;

        @Spec
        CommandSpec spec;

        @Unmatched
        List<String> ignored;

        Missing(ModuleCommand command) {
            this.command = command;
        }

        static String howToGet(ModuleCommand c) {
            return "the module " + c.module() + " is not on this classpath: run it as "
                    + "./streamnet " + c.name() + " (the launcher builds " + c.module() + " and adds it), or add "
                    + "the jar that " + c.module() + " builds and " + c.module() + "/target/lib/* to the classpath.";
        }

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            err.println("streamnet " + command.name() + ": " + howToGet(command));
            return 2;
        }
    }
}
