package io.streamnet.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.dashboard.aggregate.ModelTimeline;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.contract.ClientProperties;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.serving.model.MetricsBombs;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.wire.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The dashboard reads model-updates with the serving core's bounded decode, on a real broker: a
 * metrics bomb and a tombstone are skipped, and the feed goes on to show the next version.
 */
class DashboardModelUpdatesTest {
    private static byte[] checkpoint() throws Exception {
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 3, 4, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_ONE), 1);
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, null, Map.of()));
    }

    @Test
    void aMetricsBombOrATombstoneIsSkippedAndTheNextVersionShows() throws Exception {
        byte[] checkpoint = checkpoint();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            DashboardFeed.Settings s = new DashboardFeed.Settings(kafka.bootstrapServers(), ClientProperties.NONE,
                    WireFormat.AVRO, "predictions", "dead-letters", "model-updates", "frames", List.of("text-events"),
                    true, true);
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                List<TopicSpec> specs = new ArrayList<>();
                for (String t : List.of(s.predictions(), s.deadLetters(), s.frames(), s.countedInputs().get(0))) {
                    specs.add(new TopicSpec(t, 1, (short) 1, Map.of()));
                }
                specs.add(new TopicSpec(s.modelUpdates(), 1, (short) 1, Map.of("max.message.bytes",
                        Integer.toString(15 << 20))));
                new TopicAdmin(admin).ensure(specs);
            }
            Properties pp = kafka.clientProperties();
            pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
            try (var p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(s.modelUpdates(), "m@9", MetricsBombs.update("m", 9, checkpoint, 1_000_000))).get();
                p.send(new ProducerRecord<>(s.modelUpdates(), "m", null)).get();
                p.send(new ProducerRecord<>(s.modelUpdates(), "m@2", ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES)
                        .encode(ModelUpdates.toUpdate("m", 2, checkpoint, Map.of("accuracy", 0.75))))).get();
            }
            DashboardState state = new DashboardState(s.modelUpdates());
            BlockingQueue<Integer> exits = new ArrayBlockingQueue<>(4);
            try (DashboardFeed feed = new DashboardFeed(s, state, exits::add).start()) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (state.models().versions().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(500);
                assertThat(state.models().versions()).extracting(ModelTimeline.Version::version).containsExactly(2L);
                assertThat(state.models().versions().get(0).metrics()).isEqualTo(Map.of("accuracy", 0.75));
                assertThat(exits.poll(0, TimeUnit.SECONDS)).as("the feed died").isNull();
            }
        }
    }
}
