package io.streamnet.kafka.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.contract.ClientProperties;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateSignatures;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * On a real broker: no record anyone can write to model-updates hides the newest valid version
 * from a reader that starts now (an older signed version re-published, a tombstone for the id or
 * for the version, an unsigned higher version), because the topic forgets nothing and readers take
 * the highest version they can verify.
 */
class ModelUpdateTopicTest {
    private static final String TOPIC = PipelineTopics.MODEL_UPDATES;

    @Test
    void noLaterRecordHidesTheNewestSignedVersionFromAStartingReader() throws Exception {
        KeyPair key = UpdateSignatures.generate();
        byte[] checkpoint = PoisonModels.bytes(PoisonModels.healthy(OutputType.MANY_TO_MANY));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
                ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
                Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
                // Compaction or expiry would let the broker itself drop the newest version.
                assertThat(c.get("cleanup.policy").value()).isEqualTo("delete");
                assertThat(c.get("retention.ms").value()).isEqualTo("-1");
                assertThat(c.get("retention.bytes").value()).isEqualTo("-1");
            }
            for (long v : new long[] {3, 7}) {
                ModelUpdatePublisher.publish(kafka.clientProperties(), TOPIC,
                        ServedSequenceModel.load(CpuBackend.instance(), checkpoint, "m", v), Map.of(), key.getPrivate());
            }
            List<ConsumerRecord<String, byte[]>> published = readAll(kafka);
            assertThat(published).extracting(ConsumerRecord::key).containsExactly("m@3", "m@7");

            Properties pp = kafka.clientProperties();
            pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(ModelUpdates.DEFAULT_MAX_BYTES));
            try (var p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(TOPIC, "m", published.get(0).value())).get(); // signed v3 again
                p.send(new ProducerRecord<>(TOPIC, "m@3", published.get(0).value())).get();
                p.send(new ProducerRecord<>(TOPIC, "m", null)).get();
                p.send(new ProducerRecord<>(TOPIC, "m@7", null)).get();
                p.send(new ProducerRecord<>(TOPIC, "m@9", ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES)
                        .encode(ModelUpdates.toUpdate("m", 9, checkpoint, Map.of())))).get(); // unsigned
            }

            for (int start = 0; start < 2; start++) { // a fresh reader, and one started again
                ServedSequenceModel newest = ModelUpdateReader.latest(kafka.bootstrapServers(), ClientProperties.NONE,
                        key.getPublic().getEncoded(), TOPIC, "m", ModelUpdates.DEFAULT_MAX_BYTES, Duration.ofSeconds(30));
                assertThat(newest.version()).isEqualTo(7);
            }
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(EmbeddedKafka kafka) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(ModelUpdates.DEFAULT_MAX_BYTES));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
