package io.streamnet.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.kafka.replay.Replayer;
import io.streamnet.kafka.replay.SentenceEvents;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same topic-admin, replay and serde behaviour as the embedded-broker tests, against Kafka in a
 * container. Skipped (reported as "disabled: Docker is not available") where no Docker engine runs;
 * the embedded broker covers it there.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaTest {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

    @Test
    void replayedConversationsRoundTripThroughAContainerBroker() throws Exception {
        Properties client = new Properties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        try (Admin admin = Admin.create(client)) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
        }
        RecordSerde<TextEvent> serde = new RecordSerde<>(Codecs.of(TextEvent.class, WireFormat.AVRO));
        long sent = Replayer.replay(client, PipelineTopics.TEXT_EVENTS, serde, new SentenceEvents(
                List.of(new LabelledSentence("works great", 1, "t"), new LabelledSentence("broke fast", 0, "t")), 2,
                true, System::currentTimeMillis), 0, 0, n -> { });
        Properties cp = new Properties();
        cp.putAll(client);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "tc");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<TextEvent> got = new ArrayList<>();
        try (KafkaConsumer<String, TextEvent> c = new KafkaConsumer<>(cp, new StringDeserializer(), serde.deserializer())) {
            c.subscribe(List.of(PipelineTopics.TEXT_EVENTS));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < sent && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
        }
        assertThat(got).hasSize(4);
        assertThat(got.stream().filter(TextEvent::getEndOfSequence).count()).isEqualTo(2);
    }
}
