package io.streamnet.cli;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the CLI's job tests share: a tiny sentiment model on disk, words sent as JSON, predictions read back. */
final class JobFixtures {
    static final String MODEL_ID = "tiny-sentiment";

    private JobFixtures() {
    }

    /** An (untrained) two-class GRU over a few words, saved as {@code tiny-sentiment.ckpt} in {@code dir}: enough to prove the wiring. */
    record TinyModel(SequenceModel model, Vocabulary vocab, Path file) {
        static TinyModel saveIn(Path dir) throws Exception {
            Vocabulary v = Vocabulary.words(List.of("great phone works well bad battery broke fast the a it is"), 100, 1);
            SequenceModel m = new SequenceModel(CpuBackend.instance(),
                    ModelConfig.tokens(CellType.GRU, v.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
            Path p = dir.resolve("tiny-sentiment.ckpt");
            RnnCheckpoints.save(m, v, Map.of("model.id", MODEL_ID), p);
            return new TinyModel(m, v, p);
        }

        /** rnn-core's answer after {@code words}, one step each. */
        float[] expected(String... words) {
            RnnState s = model.initialState();
            float[] out = null;
            for (String w : words) {
                SequenceModel.StepResult r = model.step(s, vocab.id(w));
                s = r.state();
                out = r.output();
            }
            return out;
        }
    }

    static Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** One JSON TextEvent per word under {@code key}, the last one ending the sequence. */
    static void sendWords(Properties client, String key, String... words) {
        var codec = Codecs.of(TextEvent.class, WireFormat.JSON);
        try (var p = new KafkaProducer<>(client, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < words.length; i++) {
                p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, key, codec.encode(TextEvent.newBuilder()
                        .setKey(key).setSeq(i).setEventTime(Instant.now()).setText(words[i])
                        .setEndOfSequence(i == words.length - 1).build())));
            }
        }
    }

    /** Committed JSON predictions from the start, until {@code n} came or the time is up. */
    static List<Prediction> readPredictions(Properties client, int n, Duration timeout) {
        Properties cp = new Properties();
        cp.putAll(client);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "cli-check-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var codec = Codecs.of(Prediction.class, WireFormat.JSON);
        List<Prediction> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(PipelineTopics.PREDICTIONS));
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(codec.decode(r.value())));
            }
        }
        return out;
    }
}
