package io.streamnet.cli;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** streamnet produce and tail against a real embedded broker. */
class KafkaCommandsTest {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void produceReplaysSentencesAsJsonEvents() {
        assumeAvailable(SentimentDataset::locate);
        String out = CliRun.ok("produce", "sentences", "--bootstrap", kafka.bootstrapServers(), "--format", "json",
                "--limit", "50", "--rate", "0");
        assertThat(out).contains("sent 50 events");
    }

    @Test
    void tailPrintsPredictionsAndTheirSummary() throws Exception {
        RecordSerde<Prediction> serde = new RecordSerde<>(Codecs.of(Prediction.class, WireFormat.AVRO));
        Properties p = kafka.clientProperties();
        try (KafkaProducer<String, Prediction> producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer())) {
            for (int i = 0; i < 4; i++) {
                producer.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, "conv-" + i, Prediction.newBuilder()
                        .setKey("conv-" + i).setKind(PredictionKind.MANY_TO_ONE).setStep(3).setLabel(1)
                        .setProbabilities(List.of(0.3f, 0.7f)).setModelId("sentiment-gru").setModelVersion(1)
                        .setEventTime(Instant.now()).setLatencyMs(2).setTrueLabel(i < 3 ? 1 : 0).build()));
            }
        }
        String out = CliRun.ok("tail", "--bootstrap", kafka.bootstrapServers(), "--from-start", "--max", "4");
        assertThat(out).contains("conv-0").contains("sentiment-gru");
        assertThat(out).contains("== 4 predictions").contains("accuracy 0.7500 over 4 labelled");
    }
}
