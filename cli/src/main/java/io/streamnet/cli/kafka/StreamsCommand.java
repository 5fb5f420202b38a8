package io.streamnet.cli.kafka;

import io.streamnet.engine.backend.Backends;
import io.streamnet.kafka.streams.RnnTopology;
import io.streamnet.kafka.streams.StreamsAppConfig;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the Kafka Streams per-key RNN inference app with a checkpoint until Ctrl-C. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams per-key RNN app (exactly-once): text-events or step-events -> predictions, bad records -> dead-letters.")
public final class StreamsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Checkpoint from 'streamnet train' (token or feature model).")
    Path model;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--format", defaultValue = "avro", description = "Input wire format, avro or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--mode", description = "many_to_one, many_to_many, rolling or forecast, as in 'run sequence' (default: many_to_one).")
    String mode;

    @Option(names = "--per-step", description = "A prediction after every event: rolling for a many-to-one model, many_to_many for a per-step one.")
    boolean perStep;

    @Option(names = "--no-model-updates", description = "Serve this model only: do not follow newer versions in model-updates.")
    boolean noModelUpdates;

    @Option(names = "--state-dir", description = "Local state directory (default: a temporary one; state is changelogged anyway).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        // Validated as the Flink jobs validate a model file: the checkpoint format's checks, then a sequence model.
        ServedSequenceModel served = ServedSequenceModel.load(Backends.get(), Files.readAllBytes(model), null, -1);
        if (mode != null && perStep) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mode and --per-step exclude each other");
        }
        OutputMode m = mode != null ? OutputMode.valueOf(mode.trim().toUpperCase(Locale.ROOT))
                : perStep ? OutputMode.perStep(served.model()) : OutputMode.MANY_TO_ONE;
        InputKind kind = served.model().config().tokenInput() ? InputKind.TEXT : InputKind.STEP;
        StreamsAppConfig config = StreamsAppConfig.of(kind, WireFormat.parse(format), m, served.modelId(),
                served.version());
        if (noModelUpdates) {
            config = config.withoutModelUpdates();
        }
        Path dir = stateDir != null ? stateDir : Files.createTempDirectory("streamnet-streams-");
        KafkaStreams streams = new KafkaStreams(RnnTopology.build(served, config),
                RnnTopology.properties(config, bootstrap, dir.toString()));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            done.countDown();
        }));
        streams.start();
        System.out.println("streams app '" + config.applicationId() + "' running: " + config.inputTopic() + " -> "
                + config.outputTopic() + " (dead letters: " + config.deadLetterTopic() + "); Ctrl-C stops it");
        done.await();
        return 0;
    }
}
