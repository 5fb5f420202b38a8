package io.streamnet.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.ClientProperties;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded broker with a SASL_PLAINTEXT listener: only clients with its credentials get in. */
class SaslBrokerTest {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start(1, null, new EmbeddedKafka.Sasl("streamnet", "s3cret"));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static Properties bare() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        return p;
    }

    @Test
    void aClientWithTheCredentialsCreatesAndDescribesTopics() throws Exception {
        try (Admin admin = Admin.create(kafka.credentials().over(bare()))) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains(PipelineTopics.PREDICTIONS);
        }
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        try (Admin admin = Admin.create(bare())) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(Exception.class);
        }
    }

    @Test
    void aClientWithAWrongPasswordIsRefusedByAuthentication() {
        ClientProperties wrong = new EmbeddedKafka.Sasl("streamnet", "guess").clientSettings();
        try (Admin admin = Admin.create(wrong.over(bare()))) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void clientSettingsComeFromAFileAndSingleSettingsWin(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("client.properties");
        java.nio.file.Files.writeString(file, "security.protocol=PLAINTEXT\nsasl.mechanism=PLAIN\n");
        ClientProperties p = ClientProperties.load(file, List.of("security.protocol=SASL_PLAINTEXT"));
        assertThat(p.asMap()).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN");
        assertThatThrownBy(() -> ClientProperties.of(Map.of("value.serializer", "x")))
                .hasMessageContaining("cannot be overridden");
        assertThat(ClientProperties.of(Map.of("sasl.jaas.config", "secret stuff")).toString()).doesNotContain("secret stuff");
    }
}
