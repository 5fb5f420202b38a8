package io.streamnet.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.kafka.admin.TopicAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Several nodes on request: a three-node KRaft quorum that replicates a topic to every broker. */
class EmbeddedKafkaClusterTest {
    @Test
    void threeNodesFormOneClusterAndReplicateAcrossIt() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(3, null)) {
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3);
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(3);
                admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3))).all().get();
                TopicDescription d = new TopicAdmin(admin).awaitReady(List.of("replicated"), Duration.ofSeconds(30))
                        .get("replicated");
                assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            }
            Properties pp = kafka.clientProperties();
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 30; i++) {
                    p.send(new ProducerRecord<>("replicated", "k" + i, "v" + i)).get();
                }
            }
            Properties cp = kafka.clientProperties();
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-check");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> got = new ArrayList<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                c.subscribe(List.of("replicated"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (got.size() < 30 && System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
                }
            }
            assertThat(got).hasSize(30);
        }
    }
}
