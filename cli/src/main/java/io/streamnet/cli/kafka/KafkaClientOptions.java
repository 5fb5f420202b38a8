package io.streamnet.cli.kafka;

import io.streamnet.kafka.client.ClientProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The user's Kafka client settings on every command that talks to Kafka: a properties file and
 * single settings (they win), e.g. for a SASL broker:
 * {@code --kafka-property security.protocol=SASL_SSL --kafka-property sasl.mechanism=SCRAM-SHA-512
 * --kafka-config client.properties}.
 */
public final class KafkaClientOptions {
    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, ...), given to every client.")
    Path file;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client setting, repeatable; wins over --kafka-config.")
    List<String> properties = new ArrayList<>();

    public ClientProperties settings() {
        return ClientProperties.load(file, properties);
    }

    /** {@code bootstrap.servers} and the user's settings over it. */
    public Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return settings().over(p);
    }
}
