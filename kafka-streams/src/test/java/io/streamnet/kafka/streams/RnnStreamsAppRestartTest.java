package io.streamnet.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Streams app on a real broker, exactly-once: stopped halfway through its conversations and
 * restarted with an empty local state directory (so the state must come back from the changelog),
 * it gives the same predictions as stepping the model through the whole conversations.
 */
class RnnStreamsAppRestartTest {
    private final Vocabulary vocab = Vocabulary.words(List.of("great phone works well", "bad battery broke fast"), 50, 1);
    private final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.LSTM, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 5);
    private final RecordCodec<TextEvent> codec = Codecs.of(TextEvent.class, WireFormat.AVRO);
    private final RecordCodec<Prediction> predictions = Codecs.of(Prediction.class, WireFormat.AVRO);

    @TempDir
    Path tmp;

    private static final String[][] CONVERSATIONS = {
        {"great", "phone", "works", "well"}, {"bad", "battery", "broke", "fast"}, {"phone", "broke"},
        {"works", "great", "fast", "phone"}};

    @Test
    void stateSurvivesAStopAndRestartFromTheChangelog() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            StreamsAppConfig config = StreamsAppConfig.forText(WireFormat.AVRO, false, "m", 1);
            // First half of every conversation, then stop.
            KafkaStreams first = start(kafka, config, tmp.resolve("state-1"));
            produce(kafka, 0, 2);
            awaitCommittedState(kafka, config);
            first.close(Duration.ofSeconds(30));
            // Restart on a fresh state directory: the store is restored from its changelog topic.
            KafkaStreams second = start(kafka, config, tmp.resolve("state-2"));
            produce(kafka, 2, 4);
            Map<String, Prediction> got = readPredictions(kafka, CONVERSATIONS.length);
            second.close(Duration.ofSeconds(30));

            for (int c = 0; c < CONVERSATIONS.length; c++) {
                RnnState s = model.initialState();
                float[] expected = null;
                for (String w : CONVERSATIONS[c]) {
                    SequenceModel.StepResult r = model.step(s, vocab.id(w));
                    s = r.state();
                    expected = r.output();
                }
                Prediction p = got.get("conv-" + c);
                assertThat(p).as("prediction for conv-%d", c).isNotNull();
                assertThat(p.getProbabilities()).as("conv-%d", c).containsExactly(expected[0], expected[1]);
            }
        }
    }

    private KafkaStreams start(EmbeddedKafka kafka, StreamsAppConfig config, Path stateDir) throws InterruptedException {
        KafkaStreams streams = new KafkaStreams(RnnTopology.build(model, vocab, config),
                RnnTopology.properties(config, kafka.bootstrapServers(), stateDir.toString()));
        streams.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (streams.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        return streams;
    }

    /** Words [from, to) of every conversation; the last word of a conversation carries the end marker. */
    private void produce(EmbeddedKafka kafka, int from, int to) {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (int c = 0; c < CONVERSATIONS.length; c++) {
                String[] words = CONVERSATIONS[c];
                for (int i = from; i < Math.min(to, words.length); i++) {
                    String key = "conv-" + c;
                    p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, key, codec.encode(TextEvent.newBuilder()
                            .setKey(key).setSeq(i).setEventTime(Instant.now()).setText(words[i])
                            .setEndOfSequence(i == words.length - 1).build())));
                }
            }
            p.flush();
        }
    }

    /** Waits until the app has consumed and committed everything produced so far. */
    private void awaitCommittedState(EmbeddedKafka kafka, StreamsAppConfig config) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                var committed = admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata().get();
                long sum = committed.values().stream().filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
                // Eight events in the first half (2 per conversation, conv-2 ends there) plus transaction markers.
                if (sum >= 8) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the app did not commit the first half within 60 s");
    }

    private Map<String, Prediction> readPredictions(EmbeddedKafka kafka, int expected) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-check");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Prediction> out = new HashMap<>();
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(PipelineTopics.PREDICTIONS));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    Prediction p = predictions.decode(r.value());
                    keys.add(p.getKey());
                    out.put(p.getKey(), p);
                });
            }
        }
        // Exactly one prediction per conversation: nothing duplicated across the restart.
        assertThat(keys).hasSize(expected).doesNotHaveDuplicates();
        return out;
    }
}
