package io.streamnet.cli.kafka;

import io.streamnet.engine.backend.Backends;
import io.streamnet.kafka.serde.WireFormat;
import io.streamnet.kafka.streams.RnnTopology;
import io.streamnet.kafka.streams.StreamsAppConfig;
import io.streamnet.rnn.model.RnnCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the Kafka Streams per-key RNN inference app with a checkpoint until Ctrl-C. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams per-key RNN app (exactly-once): text-events or step-events -> predictions, bad records -> dead-letters.")
public final class StreamsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Checkpoint from 'streamnet train' (token or feature model).")
    Path model;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--format", defaultValue = "avro", description = "Input wire format, avro or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--per-step", description = "A (rolling) prediction after every event, not only at end of sequence.")
    boolean perStep;

    @Option(names = "--state-dir", description = "Local state directory (default: a temporary one; state is changelogged anyway).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        RnnCheckpoints.Loaded loaded = RnnCheckpoints.load(Backends.get(), model);
        String id = loaded.metadata().getOrDefault("model.id", model.getFileName().toString());
        WireFormat wf = WireFormat.parse(format);
        StreamsAppConfig config = loaded.model().config().tokenInput()
                ? StreamsAppConfig.forText(wf, perStep, id, 1) : StreamsAppConfig.forSteps(wf, perStep, id, 1);
        Path dir = stateDir != null ? stateDir : Files.createTempDirectory("streamnet-streams-");
        KafkaStreams streams = new KafkaStreams(RnnTopology.build(loaded.model(), loaded.vocabulary(), config),
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
