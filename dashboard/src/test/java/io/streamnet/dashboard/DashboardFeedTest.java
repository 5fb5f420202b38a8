package io.streamnet.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.contract.ClientProperties;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The feed on a real broker: when its thread dies, the process is told to exit, non-zero. */
class DashboardFeedTest {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static DashboardFeed.Settings topics(String n) throws Exception {
        DashboardFeed.Settings s = new DashboardFeed.Settings(kafka.bootstrapServers(), ClientProperties.NONE,
                WireFormat.AVRO, "predictions" + n, "dead-letters" + n, "model-updates" + n, "frames" + n,
                List.of("text-events" + n), true, true);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            List<TopicSpec> specs = new ArrayList<>();
            for (String t : List.of(s.predictions(), s.deadLetters(), s.modelUpdates(), s.frames(),
                    s.countedInputs().get(0))) {
                specs.add(new TopicSpec(t, 1, (short) 1, Map.of()));
            }
            new TopicAdmin(admin).ensure(specs);
        }
        return s;
    }

    static void predict(String topic) {
        try (var p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, "k", Codecs.of(Prediction.class, WireFormat.AVRO).encode(
                    Prediction.newBuilder().setKey("k").setKind(PredictionKind.MANY_TO_ONE).setStep(0)
                            .setProbabilities(List.of(0.1f, 0.9f)).setLabel(1).setModelId("m").setModelVersion(1)
                            .setEventTime(Instant.now()).setLatencyMs(1).build())));
        }
    }

    @Test
    void anOutOfMemoryErrorInTheFeedExitsTheProcessNonZero() throws Exception {
        DashboardFeed.Settings s = topics("-oom");
        DashboardState state = new DashboardState(s.modelUpdates()) {
            @Override
            public void prediction(Prediction p, long nowMs) {
                throw new OutOfMemoryError("injected: as a record too large for the heap would");
            }
        };
        BlockingQueue<Integer> exits = new ArrayBlockingQueue<>(4);
        try (DashboardFeed feed = new DashboardFeed(s, state, exits::add).start()) {
            predict(s.predictions());

            assertThat(exits.poll(60, TimeUnit.SECONDS)).isEqualTo(DashboardFeed.FEED_DIED).isNotZero();
        }
    }

    @Test
    void closingTheFeedIsNoDeath() throws Exception {
        DashboardFeed.Settings s = topics("-close");
        BlockingQueue<Integer> exits = new ArrayBlockingQueue<>(4);
        DashboardFeed feed = new DashboardFeed(s, new DashboardState(s.modelUpdates()), exits::add).start();
        predict(s.predictions());
        Thread.sleep(500);
        feed.close();

        assertThat(exits.poll(1, TimeUnit.SECONDS)).isNull();
    }
}
