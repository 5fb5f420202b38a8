package io.streamnet.kafka.replay;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.kafka.tail.PredictionTailer;
import io.streamnet.kafka.tail.TailStats;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replayers and the tailer against a real embedded broker. */
class ReplayAndTailTest {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void realSentencesReplayedAsJsonArriveAsDecodableConversations() throws Exception {
        List<LabelledSentence> sentences = SentimentDataset.loadAll(assumeAvailable(SentimentDataset::locate)).subList(0, 40);
        RecordSerde<TextEvent> json = new RecordSerde<>(Codecs.of(TextEvent.class, WireFormat.JSON));
        long sent = Replayer.replay(kafka.clientProperties(), PipelineTopics.TEXT_EVENTS, json,
                new SentenceEvents(sentences, 8, true, System::currentTimeMillis), 5000, 0, n -> { });
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-check");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<TextEvent> got = new ArrayList<>();
        try (KafkaConsumer<String, TextEvent> c = new KafkaConsumer<>(cp, new StringDeserializer(), json.deserializer())) {
            c.subscribe(List.of(PipelineTopics.TEXT_EVENTS));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < sent && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
        }
        assertThat(got).hasSize((int) sent);
        assertThat(got.stream().filter(TextEvent::getEndOfSequence).count()).isEqualTo(40);
        assertThat(got.stream().filter(e -> e.getLabel() != null).count()).isEqualTo(40);
    }

    @Test
    void tailerReadsOnlyCommittedPredictionsAndSummarisesThem() throws Exception {
        RecordSerde<Prediction> avro = new RecordSerde<>(Codecs.of(Prediction.class, WireFormat.AVRO));
        Properties pp = kafka.clientProperties();
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tail-test");
        try (KafkaProducer<String, Prediction> producer = new KafkaProducer<>(pp, new StringSerializer(), avro.serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, "k" + i, prediction(i, i % 2, i < 8 ? 1 : 0)));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, "aborted", prediction(99, 1, 1)));
            producer.flush();
            producer.abortTransaction();
        }
        PredictionTailer tailer = new PredictionTailer(kafka.clientProperties(), PipelineTopics.PREDICTIONS, avro);
        List<Prediction> seen = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        TailStats stats = tailer.run(true, () -> seen.size() >= 10 || System.currentTimeMillis() > deadline, seen::add);
        assertThat(seen).hasSize(10).noneMatch(p -> p.getKey().equals("aborted"));
        // Labels 0,1,0,1,... against truths 1 (first eight) then 0: 4 + 1 correct of 10.
        assertThat(stats.accuracy()).isEqualTo(0.5);
        assertThat(stats.processingPercentile(0.5)).isEqualTo(4);
    }

    private static Prediction prediction(int i, int label, int truth) {
        return Prediction.newBuilder().setKey("k" + i).setKind(PredictionKind.MANY_TO_ONE).setStep(0).setLabel(label)
                .setProbabilities(List.of(label == 0 ? 0.9f : 0.1f, label == 0 ? 0.1f : 0.9f)).setModelId("m")
                .setModelVersion(1).setEventTime(Instant.now()).setLatencyMs(i).setTrueLabel(truth).build();
    }
}
