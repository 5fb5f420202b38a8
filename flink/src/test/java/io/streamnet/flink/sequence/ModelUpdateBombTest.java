package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.MetricsBombs;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.PoisonRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metrics bomb at model-updates' record limit (64 MiB: 4.8M distinct tiny map entries; a full
 * decode holds 522 MB of them and runs out of a 590 MB heap) sent to the sequence job running in a
 * TaskManager JVM with a heap of that size: it is one dead letter, refused from its header, and the
 * job finishes its bounded run without a single failure (no restart is allowed), predicting every
 * conversation.
 */
class ModelUpdateBombTest {
    private static final String ID = "bomb";
    /** The topic's limit less room for the record batch around the value. */
    private static final int BOMB_BYTES = (64 << 20) - (64 << 10);

    @TempDir
    Path tmp;

    @Test
    void aMetricsBombAtTheTopicLimitIsOneDeadLetterInABoundedHeap() throws Exception {
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, 20, 6, 8, 1, 0f, 2, OutputType.MANY_TO_ONE), 11);
        byte[] first = OperatorFixtures.bytes(model, ID, 1);
        byte[] bomb = MetricsBombs.filling(ID, 2, first, BOMB_BYTES);
        assertThat(bomb.length).isBetween(BOMB_BYTES - (1 << 10), BOMB_BYTES);
        try (PipelineFixture f = new PipelineFixture(1)) {
            try (Admin admin = Admin.create(f.kafka.clientProperties())) {
                // The embedded broker's 16 MiB segments would cap records below the topic's limit.
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, PipelineTopics.MODEL_UPDATES);
                admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                        new ConfigEntry("segment.bytes", Integer.toString(128 << 20)), AlterConfigOp.OpType.SET))))
                        .all().get();
            }
            Properties pp = f.kafka.clientProperties();
            pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(65 << 20));
            pp.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(160 << 20));
            try (var p = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(PipelineTopics.MODEL_UPDATES, ModelUpdates.key(ID, 2), bomb)).get();
            }
            bomb = null; // the test JVM's copy is not the point
            for (int c = 0; c < 12; c++) {
                String[] words = {"abc", "de", "fgh"};
                for (int i = 0; i < words.length; i++) {
                    f.send(PipelineTopics.TEXT_EVENTS, "conv-" + c, PoisonRecords.avro(PoisonRecords.text("conv-" + c,
                            i, words[i], i == words.length - 1)));
                }
            }

            // One TaskManager of one slot; 1280 MB of process, little managed memory: a heap of about 590 MB.
            var settings = new StandaloneCluster.Settings(tmp.resolve("flink"), 1, "1024m", "1280m",
                    Map.of("taskmanager.memory.managed.size", "32m"), null);
            try (StandaloneCluster cluster = StandaloneCluster.start(settings, 1, Duration.ofSeconds(120))) {
                SequenceJobConfig c = f.config("bomb")
                        .bounded(true)
                        .parallelism(1)
                        .mode(OutputMode.MANY_TO_ONE)
                        .restartAttempts(0).build(); // any failure ends the job: finishing proves it never failed
                StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                        cluster.restPort());
                SequenceJob.build(env, c, ServedSequenceModel.load(CpuBackend.instance(), first, null, -1));
                env.execute("bomb");
            }

            List<DeadLetter> dead = f.readDeadLetters(1, Duration.ofSeconds(60));
            assertThat(dead).extracting(d -> d.getSourceTopic().toString() + " " + d.getReason())
                    .containsExactly(PipelineTopics.MODEL_UPDATES + " UPDATE_FIELD_TOO_LARGE");
            List<Prediction> predictions = f.readPredictions(12, Duration.ofSeconds(60));
            assertThat(predictions).hasSize(12).allMatch(p -> p.getModelVersion() == 1);
        }
    }
}
