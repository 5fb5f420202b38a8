package io.streamnet.cli.kafka;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.kafka.client.KafkaClientOptions;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Creates the pipeline's topics on a user's Kafka cluster (those missing; existing ones are left alone). */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the pipeline topics a streamnet job reads and writes on a Kafka cluster (those missing).")
public final class TopicsCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions per input/output topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication", defaultValue = "3", description = "Replicas of every topic (default ${DEFAULT-VALUE}).")
    short replication;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        if (partitions < 1 || replication < 1) {
            System.err.println("--partitions and --replication must be positive");
            return 2;
        }
        try (Admin admin = Admin.create(kafka.client(bootstrap))) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(partitions, replication));
        }
        System.out.println("topics ready on " + bootstrap + ": "
                + PipelineTopics.all(partitions, replication).stream().map(t -> t.name()).toList());
        return 0;
    }
}
