package io.streamnet.flink;

import io.streamnet.flink.job.Delivery;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.flink.sequence.PipelineFixture;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the savepoint compatibility tests do with a fixture under {@code src/test/resources/savepoints/}:
 * restore from it (a copy, a job's environment resuming from it, the input offsets its run ended
 * at) and write it (wait until a job consumed its input, stop it with a savepoint, keep the offsets).
 */
final class SavepointFixtures {
    private static final String OFFSETS = "input-offsets.properties";

    private SavepointFixtures() {
    }

    /**
     * Two subtasks, at-least-once sinks (the fixture's transactions belong to a broker that is gone),
     * and a state TTL of a century: the fixture's states carry the time they were written, and under
     * the default hour they would read as expired an hour after the fixture was made.
     */
    static <B extends KafkaJobConfigBuilder<?, B>> B restorable(B b) {
        return b.parallelism(2)
                .stateTtl(Duration.ofDays(36_500))
                .delivery(Delivery.AT_LEAST_ONCE);
    }

    /** The fixture {@code job} copied into {@code tmp} (a restore writes next to its savepoint). */
    static Path copy(String job, Path tmp) throws IOException, URISyntaxException {
        Path from = Paths.get(SavepointFixtures.class.getResource("/savepoints/" + job).toURI());
        Path to = tmp.resolve(job);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    static Path savepoint(Path fixture) {
        return fixture.resolve("savepoint");
    }

    /** An environment whose job starts from {@code savepoint}. */
    static StreamExecutionEnvironment restoring(Path savepoint) {
        Configuration resume = new Configuration();
        resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        return StreamExecutionEnvironment.getExecutionEnvironment(resume);
    }

    /** The end offsets of the input when the fixture's savepoint was taken, by partition. */
    static Map<Integer, Long> readOffsets(Path fixture) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(fixture.resolve(OFFSETS))) {
            p.load(in);
        }
        Map<Integer, Long> out = new TreeMap<>();
        p.forEach((k, v) -> out.put(Integer.parseInt(k.toString()), Long.parseLong(v.toString())));
        return out;
    }

    static void writeOffsets(Path fixture, String topic, Map<Integer, Long> end) throws IOException {
        Properties offsets = new Properties();
        end.forEach((p, o) -> offsets.setProperty(Integer.toString(p), Long.toString(o)));
        try (var w = Files.newOutputStream(fixture.resolve(OFFSETS))) {
            offsets.store(w, "end offsets of " + topic + " when the savepoint was taken");
        }
    }

    /** Every partition's end offset of {@code topic}. */
    static Map<Integer, Long> endOffsets(PipelineFixture f, String topic) throws Exception {
        try (Admin admin = Admin.create(f.kafka.clientProperties())) {
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
                ask.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new TreeMap<>();
            admin.listOffsets(ask).all().get().forEach((tp, o) -> out.put(tp.partition(), o.offset()));
            return out;
        }
    }

    /** Whether {@code group} committed {@code end} on {@code topic}. */
    static boolean consumed(PipelineFixture f, String group, String topic, Map<Integer, Long> end) throws Exception {
        return committed(f, group, topic, end.keySet()).equals(end);
    }

    /** The group's committed offsets of {@code partitions} (0 where none is committed: an empty partition). */
    static Map<Integer, Long> committed(PipelineFixture f, String group, String topic, Set<Integer> partitions)
            throws Exception {
        try (Admin admin = Admin.create(f.kafka.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> out = new TreeMap<>();
            partitions.forEach(p -> out.put(p, 0L));
            c.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        }
    }

    /** What a job has done, asked of the broker. */
    interface Done {
        boolean yet() throws Exception;
    }

    /** Stops {@code job} with a savepoint once {@code done} (in 90 s), and copies it into {@code fixture}/savepoint. */
    static void stopWhen(Done done, String what, JobClient job, Path scratch, Path fixture) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!done.yet()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not consume " + what);
            }
            Thread.sleep(100); // polling the broker's committed offsets, not waiting for a guess
        }
        String savepoint = job.stopWithSavepoint(false, scratch.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        Path to = savepoint(fixture);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(Paths.get(URI.create(savepoint)))) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName().toString()));
            }
        }
    }
}
