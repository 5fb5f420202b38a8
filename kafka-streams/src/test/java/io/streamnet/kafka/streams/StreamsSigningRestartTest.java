package io.streamnet.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turning signing on takes effect in the Streams app too: a model it took unsigned is kept in its
 * changelogged serving store, and an app restarted with a trusted key does not serve it again; it
 * serves the model it was started with.
 */
class StreamsSigningRestartTest {
    private final Vocabulary vocab = Vocabulary.words(List.of("great phone works well", "bad battery broke fast"), 50, 1);
    private final SequenceModel first = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 5);
    private final SequenceModel unsignedV2 = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 77);

    @TempDir
    Path tmp;

    @Test
    void aModelTakenUnsignedIsNotServedAfterARestartWithATrustedKey() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
            }
            StreamsAppConfig config = StreamsAppConfig.forText(WireFormat.AVRO, false, "m", 1);
            KafkaStreams before = start(kafka, config, tmp.resolve("state-1"));
            send(kafka, PipelineTopics.MODEL_UPDATES, ModelUpdates.key("m", 2), ModelUpdates.codec(
                    ModelUpdates.DEFAULT_MAX_BYTES).encode(ModelUpdates.toUpdate("m", 2, Checkpoints.toBytes(
                    RnnCheckpoints.toCheckpoint(unsignedV2, vocab, Map.of())), Map.of())));
            assertThat(servedVersion(kafka, 2)).isEqualTo(2);
            before.close(Duration.ofSeconds(30));

            StreamsAppConfig trusting = config.withTrustedKey(UpdateSignatures.generate().getPublic().getEncoded());
            KafkaStreams after = start(kafka, trusting, tmp.resolve("state-2")); // restored from the changelog
            try {
                assertThat(servedVersion(kafka, 1)).isEqualTo(1);
            } finally {
                after.close(Duration.ofSeconds(30));
            }
        }
    }

    private KafkaStreams start(EmbeddedKafka kafka, StreamsAppConfig config, Path stateDir) throws InterruptedException {
        KafkaStreams streams = new KafkaStreams(RnnTopology.build(first, vocab, config),
                RnnTopology.properties(config, kafka.bootstrapServers(), stateDir.toString()));
        streams.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (streams.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        return streams;
    }

    private static void send(EmbeddedKafka kafka, String topic, String key, byte[] value) {
        Properties pp = kafka.clientProperties();
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        try (var p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key, value));
            p.flush();
        }
    }

    /**
     * Sends one-word conversations, one every 500 ms, until a prediction of model version
     * {@code wanted} comes, or 60 s pass; returns the version of the last prediction read.
     */
    private long servedVersion(EmbeddedKafka kafka, long wanted) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long last = -1;
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(PipelineTopics.PREDICTIONS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int probe = 0;
            while (System.nanoTime() < deadline) {
                String key = "probe-" + System.nanoTime() + "-" + probe++;
                send(kafka, PipelineTopics.TEXT_EVENTS, key, Codecs.of(TextEvent.class, WireFormat.AVRO).encode(
                        TextEvent.newBuilder().setKey(key).setSeq(0).setEventTime(Instant.now()).setText("great")
                                .setEndOfSequence(true).build()));
                for (var r : c.poll(Duration.ofMillis(500))) {
                    last = Codecs.of(Prediction.class, WireFormat.AVRO).decode(r.value()).getModelVersion();
                    if (last == wanted) {
                        return last;
                    }
                }
            }
        }
        return last;
    }
}
