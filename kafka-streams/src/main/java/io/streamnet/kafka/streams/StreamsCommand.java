package io.streamnet.kafka.streams;

import io.streamnet.engine.backend.Backends;
import io.streamnet.kafka.client.KafkaClientOptions;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * Runs the Kafka Streams per-key RNN inference app with a checkpoint until Ctrl-C. The {@code streamnet}
 * command finds it at run time (the launcher puts this module on the classpath for {@code streams}
 * only), so Kafka Streams and its RocksDB never share a classpath with a Flink job's.
 */
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

    @Option(names = "--state-dir", description = "Local state directory, kept between runs so a restart need not restore from the changelog (default: ~/.cache/streamnet/streams/APPLICATION-ID).")
    Path stateDir;

    @Option(names = "--application-id", description = "Kafka Streams application id: consumer group, state and changelog names (default: streamnet-rnn-text or streamnet-rnn-steps, by the model's input).")
    String applicationId;

    @Option(names = "--state-ttl", defaultValue = "3600", description = "Seconds an idle key keeps its state (default ${DEFAULT-VALUE}).")
    long stateTtlSeconds;

    @Option(names = "--no-order-check", description = "Step events whatever their seq (no DUPLICATE / OUT_OF_ORDER dead letters).")
    boolean noOrderCheck;

    @Option(names = "--update-key", paramLabel = "FILE", description = "Ed25519 public key (PEM): only model updates signed by its private key are taken.")
    Path updateKey;

    @Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    /** Where state lives by default: the user's cache, one directory per application id. */
    static Path defaultStateDir(String applicationId) {
        return Path.of(System.getProperty("user.home"), ".cache", "streamnet", "streams", applicationId);
    }

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
                served.version()).withStateTtl(Duration.ofSeconds(stateTtlSeconds))
                .withOrder(noOrderCheck ? EventOrder.UNCHECKED : EventOrder.CHECKED)
                .withTrustedKey(updateKey == null ? null : UpdateSignatures.readPublicKey(updateKey));
        if (applicationId != null) {
            config = config.withApplicationId(applicationId);
        }
        if (noModelUpdates) {
            config = config.withoutModelUpdates();
        }
        Path dir = Files.createDirectories(stateDir != null ? stateDir : defaultStateDir(config.applicationId()));
        KafkaStreams streams = new KafkaStreams(RnnTopology.build(served, config),
                RnnTopology.properties(config, bootstrap, dir.toString(), kafka.settings()));
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> died = new AtomicReference<>();
        // A failure the app cannot recover from (lost broker credentials, a fenced producer) ends the
        // command with a non-zero exit, so a supervisor sees it and restarts or alerts.
        streams.setUncaughtExceptionHandler(e -> {
            died.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) {
                done.countDown();
            }
        });
        Thread hook = new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            done.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        streams.start();
        System.out.println("streams app '" + config.applicationId() + "' running: " + config.inputTopic() + " -> "
                + config.outputTopic() + " (dead letters: " + config.deadLetterTopic() + ", state " + dir
                + "); Ctrl-C stops it");
        done.await();
        if (died.get() != null || streams.state() == KafkaStreams.State.ERROR) {
            System.err.println("streams app '" + config.applicationId() + "' died: " + died.get());
            streams.close(Duration.ofSeconds(30));
            return 1;
        }
        return 0;
    }
}
