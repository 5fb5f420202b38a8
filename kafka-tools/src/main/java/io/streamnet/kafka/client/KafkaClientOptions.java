package io.streamnet.kafka.client;

import io.streamnet.contract.ClientProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The user's Kafka client settings on every command that talks to Kafka: a properties file and
 * single settings (they win), e.g. for a SASL broker:
 * {@code --kafka-property security.protocol=SASL_SSL --kafka-property sasl.mechanism=SCRAM-SHA-512
 * --kafka-config client.properties}. A secret setting is best read from a file, out of {@code ps}:
 * {@code --kafka-property sasl.jaas.config=@jaas.txt} (the value from the file) or
 * {@code --kafka-property @jaas-setting.txt} (the whole KEY=VALUE from the file). A picocli mixin, here
 * so that the cli's commands and the Streams app's {@code streams} command share it.
 */
public final class KafkaClientOptions {
    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, ...), given to every client.")
    Path file;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client setting, repeatable; wins over --kafka-config. KEY=@FILE reads the value "
                    + "from FILE, @FILE the whole KEY=VALUE (keeps secrets out of ps).")
    List<String> properties = new ArrayList<>();

    public ClientProperties settings() {
        return ClientProperties.load(file, resolved(properties));
    }

    /** Each setting with the files it names read: {@code @FILE} holds KEY=VALUE, {@code KEY=@FILE} the value. */
    static List<String> resolved(List<String> settings) {
        List<String> out = new ArrayList<>(settings.size());
        for (String kv : settings) {
            if (kv.startsWith("@")) {
                String setting = SecretArgument.resolve(kv, "a Kafka client setting");
                if (setting.indexOf('=') < 1) { // ClientProperties would quote it whole: it may be a secret
                    throw new IllegalArgumentException("the Kafka client setting in " + kv.substring(1)
                            + " is not KEY=VALUE");
                }
                out.add(setting);
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.startsWith("@", eq + 1)) {
                String key = kv.substring(0, eq);
                out.add(key + "=" + SecretArgument.resolve(kv.substring(eq + 1), "Kafka client setting " + key.strip()));
            } else {
                out.add(kv);
            }
        }
        return out;
    }

    /** {@code bootstrap.servers} and the user's settings over it. */
    public Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return settings().over(p);
    }
}
