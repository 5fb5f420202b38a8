package io.streamnet.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A real broker: the pipeline topics are created idempotently, and records produced in a transaction
 * come back, read_committed, decoded by the serdes. (One test: the broker start dominates its time.)
 */
class EmbeddedKafkaTest {
    @Test
    void transactionallyProducedEventsAreReadBackCommitted() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                TopicAdmin topics = new TopicAdmin(admin);
                List<TopicSpec> specs = PipelineTopics.all(2, (short) 1);
                topics.ensure(specs);
                // Idempotent: a second start finds everything in place.
                topics.ensure(specs);
                assertThat(admin.listTopics().names().get()).containsAll(specs.stream().map(TopicSpec::name).toList());
                // A topic that exists with fewer partitions than declared is reported, not used.
                admin.createTopics(List.of(new NewTopic("narrow", 1, (short) 1))).all().get();
                assertThatThrownBy(() -> topics.ensure(List.of(new TopicSpec("narrow", 3, (short) 1, java.util.Map.of()))))
                        .hasMessageContaining("narrow has 1 partitions, needs 3");
            }
            RecordSerde<TextEvent> serde = new RecordSerde<>(Codecs.of(TextEvent.class, WireFormat.AVRO));
            Properties pp = kafka.clientProperties();
            pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-tx");
            List<TextEvent> sent = new ArrayList<>();
            try (KafkaProducer<String, TextEvent> producer = new KafkaProducer<>(pp, new StringSerializer(),
                    serde.serializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 50; i++) {
                    TextEvent e = TextEvent.newBuilder().setKey("c" + (i % 5)).setSeq(i / 5)
                            .setEventTime(Instant.ofEpochMilli(1000 + i)).setText("word " + i).build();
                    sent.add(e);
                    producer.send(new ProducerRecord<>("text-events", e.getKey(), e));
                }
                producer.commitTransaction();
            }
            Properties cp = kafka.clientProperties();
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "test");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            List<TextEvent> got = new ArrayList<>();
            try (KafkaConsumer<String, TextEvent> consumer = new KafkaConsumer<>(cp, new StringDeserializer(),
                    serde.deserializer())) {
                consumer.subscribe(List.of("text-events"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (got.size() < sent.size() && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, TextEvent> r : consumer.poll(Duration.ofMillis(200))) {
                        assertThat(r.key()).isEqualTo(r.value().getKey());
                        got.add(r.value());
                    }
                }
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(sent);
        }
    }
}
