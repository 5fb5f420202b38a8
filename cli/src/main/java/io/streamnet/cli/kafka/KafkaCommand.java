package io.streamnet.cli.kafka;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the embedded KRaft Kafka with the pipeline topics until Ctrl-C, for kcat, produce and tail. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Run a local Kafka (KRaft, 127.0.0.1) with the pipeline topics until Ctrl-C.")
public final class KafkaCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1", description = "Brokers (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions per input/output topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--data-dir", description = "Keep data here (default: a temporary directory removed at exit).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(nodes, dataDir);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            done.countDown();
        }));
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(partitions, (short) Math.min(3, nodes)));
        }
        System.out.println("Kafka is up: --bootstrap " + kafka.bootstrapServers() + "  (Ctrl-C stops it)");
        System.out.println("topics: " + PipelineTopics.all(partitions, (short) 1).stream().map(t -> t.name()).toList());
        done.await();
        return 0;
    }
}
