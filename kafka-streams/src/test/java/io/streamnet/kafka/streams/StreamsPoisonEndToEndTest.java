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
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.PoisonRecords;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
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
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Streams app on a real SASL broker with the credentials, signed updates required: one record
 * of every poison class and one update of every poison-model class among good conversations. The
 * stream thread never dies, every bad record and update has exactly one dead letter with its
 * reason, and every good conversation is predicted once, by the first model, with rnn-core's values.
 */
class StreamsPoisonEndToEndTest {
    static final String ID = "poison-streams";
    final Vocabulary vocab = Vocabulary.chars("abcdefghijklmnopqrs");
    final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, vocab.size(), 6, 8, 1, 0f, 2, OutputType.MANY_TO_ONE), 11);
    final KeyPair trusted = UpdateSignatures.generate();

    @TempDir
    Path tmp;

    byte[] checkpoint(SequenceModel m) throws Exception {
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, vocab, Map.of()));
    }

    byte[] update(long version, byte[] checkpoint, KeyPair signer) throws Exception {
        ModelUpdate u = ModelUpdates.toUpdate(ID, version, checkpoint, Map.of());
        if (signer != null) {
            UpdateSignatures.sign(u, signer.getPrivate());
        }
        return ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(u);
    }

    @Test
    void poisonRecordsAndModelsBecomeDeadLettersAndTheStreamThreadNeverDies() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1, null, new EmbeddedKafka.Sasl("appuser", "apppass"))) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            StreamsAppConfig config = StreamsAppConfig.forText(WireFormat.AVRO, false, ID, 1)
                    .withTrustedKey(trusted.getPublic().getEncoded());
            AtomicReference<Throwable> died = new AtomicReference<>();
            KafkaStreams streams = new KafkaStreams(RnnTopology.build(model, vocab, config),
                    RnnTopology.properties(config, kafka.bootstrapServers(), tmp.toString(), kafka.credentials()));
            streams.setUncaughtExceptionHandler(e -> {
                died.set(e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Map<String, String> expected = new HashMap<>();
                Properties pp = kafka.clientProperties();
                pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
                try (var p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                    for (PoisonRecords.Poison bad : PoisonRecords.text()) {
                        var md = p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, bad.key(), bad.value())).get();
                        if (bad.reason() != null) {
                            expected.put(md.partition() + "/" + md.offset(), bad.reason());
                        }
                    }
                    for (int c = 0; c < 12; c++) {
                        String[] words = {"abc", "de", "fgh"};
                        for (int i = 0; i < words.length; i++) {
                            p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, "conv-" + c, PoisonRecords.avro(
                                    PoisonRecords.text("conv-" + c, i, words[i], i == words.length - 1))));
                        }
                    }
                    List<byte[]> updates = List.of(update(2, checkpoint(model), null),
                            update(3, checkpoint(model), UpdateSignatures.generate()),
                            update(4, checkpoint(PoisonModels.nanGru(model.config())), trusted),
                            update(5, PoisonModels.oversizedArchitecture(checkpoint(model)), trusted));
                    for (int i = 0; i < updates.size(); i++) {
                        p.send(new ProducerRecord<>(PipelineTopics.MODEL_UPDATES, ID, updates.get(i))).get();
                        // The app offers the newest update of an id: wait for this one's verdict before the next.
                        awaitUpdateDeadLetters(kafka, i + 1);
                    }
                    p.flush();
                }

                List<DeadLetter> dead = read(kafka, PipelineTopics.DEAD_LETTERS, expected.size() + 4).stream()
                        .map(b -> Codecs.of(DeadLetter.class, WireFormat.AVRO).decode(b)).toList();
                Map<String, String> got = new HashMap<>();
                List<String> updateReasons = new ArrayList<>();
                for (DeadLetter d : dead) {
                    if (d.getSourceTopic().toString().equals(PipelineTopics.MODEL_UPDATES)) {
                        updateReasons.add(d.getReason().toString());
                    } else {
                        String at = d.getPartition() + "/" + d.getOffset();
                        assertThat(got.put(at, d.getReason().toString())).as("second dead letter for %s", at).isNull();
                    }
                }
                System.out.println("streams dead letters of records: " + new java.util.TreeMap<>(got).values()
                        + "; of model updates: " + updateReasons);
                assertThat(got).isEqualTo(expected);
                assertThat(updateReasons).containsExactlyInAnyOrder("UNSIGNED", "BAD_SIGNATURE", "CANARY_FAILED",
                        "CHECKPOINT_SHAPE_MISMATCH");

                Map<String, Prediction> byKey = new HashMap<>();
                for (byte[] b : read(kafka, PipelineTopics.PREDICTIONS, 12)) {
                    Prediction pr = Codecs.of(Prediction.class, WireFormat.AVRO).decode(b);
                    assertThat(byKey.put(pr.getKey().toString(), pr)).as("second prediction for %s", pr.getKey()).isNull();
                }
                assertThat(byKey).hasSize(12);
                RnnState s = model.initialState();
                float[] want = null;
                for (int id : vocab.encode("abcdefgh")) {
                    SequenceModel.StepResult r = model.step(s, id);
                    s = r.state();
                    want = r.output();
                }
                for (Prediction pr : byKey.values()) {
                    assertThat(pr.getModelVersion()).isEqualTo(1);
                    assertThat(pr.getProbabilities()).containsExactly(want[0], want[1]);
                }
                assertThat(died.get()).as("the stream thread died").isNull();
                assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            } finally {
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    private static void awaitUpdateDeadLetters(EmbeddedKafka kafka, int n) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "await-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int seen = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(PipelineTopics.DEAD_LETTERS));
            while (seen < n && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    DeadLetter d = Codecs.of(DeadLetter.class, WireFormat.AVRO).decode(r.value());
                    seen += d.getSourceTopic().toString().equals(PipelineTopics.MODEL_UPDATES) ? 1 : 0;
                }
            }
        }
        assertThat(seen).as("dead letters of model updates").isGreaterThanOrEqualTo(n);
    }

    /** Committed records of {@code topic} from the start, until {@code atLeast} came and a second passed quietly. */
    private static List<byte[]> read(EmbeddedKafka kafka, String topic, int atLeast) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<byte[]> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long quietSince = System.nanoTime();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (System.nanoTime() < deadline) {
                var records = c.poll(Duration.ofMillis(200));
                records.forEach(r -> out.add(r.value()));
                if (!records.isEmpty()) {
                    quietSince = System.nanoTime();
                } else if (out.size() >= atLeast && System.nanoTime() - quietSince > 1_000_000_000L) {
                    break;
                }
            }
        }
        return out;
    }
}
