package io.streamnet.flink.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The RocksDB backend runs only on Flink's fork: the guard passes when org.rocksdb comes from the
 * jar that holds Flink's classes too (frocksdbjni, or flink-dist bundling it) and refuses Kafka
 * Streams' rocksdbjni first on the classpath.
 */
class RocksDbClasspathTest {
    private static URL jar(String prefix) throws Exception {
        String entry = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Path.of(e).getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        return Path.of(entry).toUri().toURL();
    }

    @Test
    void flinksForkFirstPasses() throws Exception {
        try (URLClassLoader l = new URLClassLoader(new URL[] {jar("frocksdbjni"), jar("rocksdbjni")}, null)) {
            KafkaJobs.requireFlinksRocksDb(l);
        }
    }

    @Test
    void kafkaStreamsRocksDbFirstIsRefusedBeforeTheJobStarts() throws Exception {
        try (URLClassLoader l = new URLClassLoader(new URL[] {jar("rocksdbjni"), jar("frocksdbjni")}, null)) {
            assertThatThrownBy(() -> KafkaJobs.requireFlinksRocksDb(l)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("rocksdbjni");
        }
    }

    @Test
    void aForkBundledInFlinkDistCountsAsTheFork() throws Exception {
        assertThat(KafkaJobs.jarOf(new URL("jar:file:/opt/flink/lib/flink-dist-2.2.1.jar!/org/rocksdb/RocksDB.class")))
                .isEqualTo("jar:file:/opt/flink/lib/flink-dist-2.2.1.jar");
    }
}
