package io.streamnet.cli.kafka;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.client.KafkaClientOptions;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.kafka.tail.PredictionTailer;
import io.streamnet.kafka.tail.TailStats;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints live predictions (read_committed) and, every few seconds and at the end, summary figures. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Follow the predictions topic (read_committed): each prediction, rate, latency percentiles, accuracy.")
public final class TailCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", defaultValue = PipelineTopics.PREDICTIONS, description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--format", defaultValue = "avro", description = "avro or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--from-start", description = "Read from the earliest offset instead of new predictions only.")
    boolean fromStart;

    @Option(names = "--max", defaultValue = "0", description = "Stop after N predictions (0: until Ctrl-C).")
    long max;

    @Option(names = "--quiet", description = "Only the summary lines, not each prediction.")
    boolean quiet;

    @Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    @Override
    public Integer call() {
        Properties client = kafka.client(bootstrap);
        PredictionTailer tailer = new PredictionTailer(client, topic,
                new RecordSerde<>(Codecs.of(Prediction.class, WireFormat.parse(format))));
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                main.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        long[] lastSummary = {System.currentTimeMillis()};
        TailStats stats = tailer.run(fromStart, () -> stop.get() || (max > 0 && tailer.stats().count() >= max), p -> {
            if (!quiet) {
                System.out.printf("%-14s %-12s step %-5d label %d p=%s model %s v%d latency %d ms%s%n", p.getKey(),
                        p.getKind(), p.getStep(), p.getLabel(), p.getProbabilities(), p.getModelId(), p.getModelVersion(),
                        p.getLatencyMs(), p.getTrueLabel() == null ? "" : " (true " + p.getTrueLabel() + ")");
            }
            long now = System.currentTimeMillis();
            if (now - lastSummary[0] > 5000) {
                lastSummary[0] = now;
                System.out.println("-- " + tailer.stats().summary());
            }
        });
        System.out.println("== " + stats.summary() + (tailer.undecodable() > 0 ? ", " + tailer.undecodable()
                + " undecodable" : ""));
        return 0;
    }
}
