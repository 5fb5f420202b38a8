package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a broker that requires SASL: the user's client settings reach its clients. */
class SecureKafkaCommandsTest {
    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(1, null, new EmbeddedKafka.Sasl("cliuser", "clipass"));
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The broker's credentials as a client properties file, as a user keeps them. */
    private Path clientConfig() throws Exception {
        Path f = tmp.resolve("client.properties");
        Files.writeString(f, kafka.credentials().asMap().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
        return f;
    }

    @Test
    void tailReadsPredictionsWithTheSettingsOfAClientConfigFile() throws Exception {
        RecordSerde<Prediction> serde = new RecordSerde<>(Codecs.of(Prediction.class, WireFormat.AVRO));
        try (var producer = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, "secure-0", Prediction.newBuilder()
                    .setKey("secure-0").setKind(PredictionKind.MANY_TO_ONE).setStep(0).setLabel(1)
                    .setProbabilities(List.of(0.2f, 0.8f)).setModelId("m").setModelVersion(1)
                    .setEventTime(Instant.now()).setLatencyMs(1).build())).get();
        }

        String out = CliRun.ok("tail", "--bootstrap", kafka.bootstrapServers(), "--kafka-config",
                clientConfig().toString(), "--from-start", "--max", "1");

        assertThat(out).contains("secure-0");
    }

    @Test
    void keygenAndPublishModelSignAnUpdateOverSaslWithSingleSettings() throws Exception {
        Vocabulary v = Vocabulary.words(List.of("great phone works"), 20, 1);
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, v.size(), 4, 6, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
        Path ckpt = tmp.resolve("m.ckpt");
        RnnCheckpoints.save(m, v, Map.of("model.id", "secure-model"), ckpt);
        assertThat(CliRun.ok("keygen", "--out", tmp.resolve("updates").toString())).contains("updates.pub.pem");
        String[] settings = kafka.credentials().asMap().entrySet().stream()
                .flatMap(e -> java.util.stream.Stream.of("--kafka-property", e.getKey() + "=" + e.getValue()))
                .toArray(String[]::new);
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("publish-model", "--model",
                ckpt.toString(), "--version", "2", "--bootstrap", kafka.bootstrapServers(), "--sign-key",
                tmp.resolve("updates.key.pem").toString()), java.util.Arrays.stream(settings)).toArray(String[]::new);

        assertThat(CliRun.ok(args)).contains("published secure-model v2").contains("signed");

        ModelUpdate u = ModelUpdates.decode(readOne(PipelineTopics.MODEL_UPDATES), ModelUpdates.DEFAULT_MAX_BYTES);
        UpdateSignatures.verify(u, UpdateSignatures.publicKey(
                UpdateSignatures.readPublicKey(tmp.resolve("updates.pub.pem"))));
    }

    private static byte[] readOne(String topic) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "secure-check-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    return r.value();
                }
            }
        }
        throw new AssertionError("nothing in " + topic);
    }
}
