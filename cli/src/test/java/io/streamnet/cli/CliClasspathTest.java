package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The jars the cli runs with (its runtime classpath as Maven resolves it, which the build writes to
 * target/runtime-classpath.txt and copies to target/lib): Flink with its RocksDB fork, so that
 * {@code run --state-backend rocksdb} works whatever the jars' order, and neither Kafka Streams with
 * its RocksDB (whose classes share the fork's names) nor the benchmarks' JMH and charts. {@code streams}
 * and {@code bench} bring those at run time, for themselves only.
 */
class CliClasspathTest {
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
    void theCliRunsFlinkWithItsRocksDbAndNothingElsesRocksDb() throws Exception {
        List<String> jars = runtimeClasspath();

        assertThat(jars).anyMatch(j -> j.startsWith("flink-runtime-")).anyMatch(j -> j.startsWith("frocksdbjni-"));
        assertThat(jars).noneMatch(j -> j.startsWith("rocksdbjni")).noneMatch(j -> j.startsWith("kafka-streams"))
                .noneMatch(j -> j.startsWith("streamnet-kafka-streams"));
    }

    @Test
    void theBenchmarksHarnessIsNotPartOfTheProduct() throws Exception {
        assertThat(runtimeClasspath()).noneMatch(j -> j.startsWith("jmh-"))
                .noneMatch(j -> j.startsWith("jfreechart"))
                .noneMatch(j -> j.startsWith("streamnet-benchmarks"));
    }
}
