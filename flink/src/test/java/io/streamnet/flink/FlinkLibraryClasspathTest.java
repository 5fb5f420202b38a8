package io.streamnet.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a user's Flink job gets by depending on this library, as Maven resolves it (the build writes
 * the runtime classpath to target/runtime-classpath.txt): the Kafka connector and its client, and no
 * Kafka Streams, no Kafka broker and no RocksDB. Kafka Streams' RocksDB (rocksdbjni) shares its class
 * and library names with Flink's fork: on a job's classpath it would break the RocksDB state backend.
 * Flink itself comes from the cluster (provided), so none of its runtime is bundled either.
 */
class FlinkLibraryClasspathTest {
    /** The file names of the library's runtime classpath. */
    static List<String> runtimeClasspath() throws Exception {
        Path file = Path.of(System.getProperty("basedir", "."), "target", "runtime-classpath.txt");
        return Arrays.stream(Files.readString(file).strip().split(File.pathSeparator))
                .map(e -> name(Path.of(e))).toList();
    }

    /** A jar's file name; a module of this build (its target/classes) as streamnet-MODULE. */
    static String name(Path entry) {
        return entry.endsWith(Path.of("target", "classes"))
                ? "streamnet-" + entry.getParent().getParent().getFileName() : entry.getFileName().toString();
    }

    @Test
    void aJobDependingOnTheLibraryGetsTheKafkaConnectorAndNeitherKafkaStreamsNorABrokerNorRocksDb() throws Exception {
        List<String> jars = runtimeClasspath();

        assertThat(jars).anyMatch(j -> j.startsWith("flink-connector-kafka-"))
                .anyMatch(j -> j.startsWith("kafka-clients-"));
        assertThat(jars).noneMatch(j -> j.startsWith("kafka-streams"))
                .noneMatch(j -> j.startsWith("streamnet-kafka-streams"))
                .noneMatch(j -> j.startsWith("kafka-server"))
                .noneMatch(j -> j.startsWith("kafka_2.13"))
                .noneMatch(j -> j.startsWith("rocksdbjni"));
    }

    @Test
    void flinkItselfIsTheClustersAndNotBundled() throws Exception {
        assertThat(runtimeClasspath()).noneMatch(j -> j.startsWith("flink-runtime"))
                .noneMatch(j -> j.startsWith("flink-streaming-java"))
                .noneMatch(j -> j.startsWith("flink-statebackend-rocksdb"))
                .noneMatch(j -> j.startsWith("frocksdbjni"));
    }
}
