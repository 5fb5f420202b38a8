package io.streamnet.cli.jobs;

import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.util.Map;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamnet cluster}: a real multi-process cluster on this machine for users without Docker
 * or Kubernetes: a Kafka KRaft cluster (3 brokers by default) and a Flink standalone session
 * cluster (a JobManager and TaskManagers, each its own JVM), all on 127.0.0.1, until Ctrl-C.
 * {@code streamnet submit} sends the jobs to it.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Run a local multi-process cluster until Ctrl-C: Kafka (KRaft) brokers and a Flink standalone "
                + "session cluster (JobManager + TaskManagers, separate JVMs), all on 127.0.0.1.")
public final class ClusterCommand implements Callable<Integer> {
    @Option(names = "--brokers", defaultValue = "3", description = "Kafka brokers (default ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions per input/output topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--taskmanagers", defaultValue = "2", description = "Flink TaskManagers (default ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "2", description = "Task slots per TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--home", description = "Where the cluster keeps its configuration, logs and checkpoints (default ~/.cache/streamnet/cluster).")
    Path home;

    @Override
    public Integer call() throws Exception {
        if (brokers < 1 || partitions < 1 || taskManagers < 1 || slots < 1) {
            System.err.println("--brokers, --partitions, --taskmanagers and --slots must be positive");
            return 2;
        }
        Path dir = home != null ? home : Path.of(System.getProperty("user.home"), ".cache", "streamnet", "cluster");
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        System.out.printf("starting Kafka (%d brokers, KRaft) and Flink (a JobManager, %d TaskManagers of %d slots) ...%n",
                brokers, taskManagers, slots);
        EmbeddedKafka kafka = EmbeddedKafka.start(brokers, null);
        StandaloneCluster flink;
        try {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(partitions, (short) Math.min(3, brokers)));
            }
            // The cluster's processes run on this classpath, which holds the jobs' classes too: parent-first,
            // a submitted job's jars resolve to those same classes (child-first would load Kafka's twice).
            flink = StandaloneCluster.start(new StandaloneCluster.Settings(dir.resolve("flink"), slots, "1024m",
                    "1280m", Map.of("classloader.resolve-order", "parent-first"), null), taskManagers,
                    Duration.ofMinutes(3));
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            flink.close();
            kafka.close();
            done.countDown();
        }));
        System.out.printf("Kafka:  --bootstrap %s%n", kafka.bootstrapServers());
        System.out.printf("Flink:  Web UI and REST http://127.0.0.1:%d (logs in %s)%n", flink.restPort(),
                dir.resolve("flink").resolve("log"));
        System.out.printf("submit: ./streamnet submit sequence --jobmanager 127.0.0.1:%d --bootstrap %s "
                + "--checkpoint-dir %s --model FILE%n", flink.restPort(), kafka.bootstrapServers(), checkpoints.toUri());
        System.out.println("(Ctrl-C stops the cluster)");
        done.await();
        return 0;
    }

}
