package io.streamnet.cli;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** demo, publish-model and submit, each run as a user would, against real Kafka and Flink. */
class FlinkCommandsTest {
    @TempDir
    Path tmp;

    private Path checkpoint() throws Exception {
        return JobFixtures.TinyModel.saveIn(tmp).file();
    }

    /** An (untrained) LeNet-5 with a GRU smoother over its 84 features: enough to prove the wiring. */
    private Path frameModel() throws Exception {
        var cpu = CpuBackend.instance();
        SequenceModel smoother = new SequenceModel(cpu, ModelConfig.features(CellType.GRU, 84, 8, 1, 0f, 10,
                Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 4);
        Path p = tmp.resolve("tiny-frames.ckpt");
        Checkpoints.write(ServedFrameModel.toCheckpoint(LeNet5.build(cpu, 5), smoother, Map.of("modelId", "tiny-frames")), p);
        return p;
    }

    @Test
    void demoRunsKafkaFlinkAndBothReplaysAndPrintsCommittedPredictions() throws Exception {
        assumeAvailable(SentimentDataset::locate);
        String out = CliRun.ok("demo", "--model", checkpoint().toString(), "--seconds", "25", "--web-port", "0",
                "--dashboard-port", "0", "--metrics-port", "0", "--rate", "300", "--frames-model", frameModel().toString(), "--cameras", "2", "--fps", "5");
        assertThat(out).contains("Kafka:   --bootstrap 127.0.0.1:").contains("kcat -P")
                .contains("dashboard: http://127.0.0.1:").contains("metrics: http://127.0.0.1:");
        // The dashboard read the demo's topics, and the job's restarts from its Prometheus endpoint.
        assertThat(out).containsPattern("dashboard showed [1-9]\\d* predictions \\([1-9]\\d* conversations, 2 cameras\\), "
                + "\\d+ dead letters, job restarts 0");
        assertThat(out).contains("MANY_TO_ONE").contains("model tiny-sentiment v1");
        assertThat(out).contains("cam-0").contains("cam-1").contains("FRAME").contains("SMOOTHED")
                .contains("model tiny-frames v1").contains("accuracy per frame");
        int predictions = Integer.parseInt(out.replaceAll("(?s).*\n== (\\d+) predictions.*", "$1"));
        assertThat(predictions).isPositive();
        assertThat(out).endsWith("stopped.\n");
    }

    @Test
    void submitRefusesToRunWithoutACheckpointDirectoryTheClusterCanReach() {
        CliRun r = CliRun.of("submit", "sequence", "--jobmanager", "127.0.0.1:8081", "--model", "x.ckpt");
        assertThat(r.exit()).isEqualTo(2);
    }

    @Test
    void aSubmittedJobServesTheModelPublishedToTheTopic() throws Exception {
        onClusterAndBroker((port, bootstrap) -> {
            assertThat(CliRun.ok("publish-model", "--model", checkpoint().toString(), "--version", "3",
                    "--bootstrap", bootstrap)).contains("published tiny-sentiment v3");
            assertThat(CliRun.ok("submit", "sequence", "--jobmanager", "127.0.0.1:" + port, "--bootstrap", bootstrap,
                    "--parallelism", "1", "--format", "json", "--output-format", "json", "--checkpoint-ms", "500",
                    "--checkpoint-dir", tmp.resolve("checkpoints").toUri().toString())).contains("submitted job");

            JobFixtures.sendWords(kafka(bootstrap), "u1", "great", "phone", "works");
            List<Prediction> got = JobFixtures.readPredictions(kafka(bootstrap), 1, Duration.ofSeconds(90));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).getKey()).isEqualTo("u1");
            assertThat(got.get(0).getModelId()).isEqualTo("tiny-sentiment");
            assertThat(got.get(0).getModelVersion()).as("the model came from the topic").isEqualTo(3);
        });
    }

    @Test
    void aSubmittedFrameJobClassifiesFramesWithTheModelFile() throws Exception {
        onClusterAndBroker((port, bootstrap) -> {
            assertThat(CliRun.ok("submit", "frames", "--jobmanager", "127.0.0.1:" + port, "--bootstrap", bootstrap,
                    "--model", frameModel().toString(), "--parallelism", "1", "--format", "json", "--output-format",
                    "json", "--checkpoint-ms", "500", "--checkpoint-dir", tmp.resolve("checkpoints").toUri().toString())).contains("submitted job").contains("tiny-frames v1");
            var codec = Codecs.of(io.streamnet.schemas.Frame.class, WireFormat.JSON);
            try (var p = new KafkaProducer<>(kafka(bootstrap), new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 2; i++) {
                    p.send(new ProducerRecord<>(PipelineTopics.FRAMES, "cam-9", codec.encode(io.streamnet.schemas.Frame
                            .newBuilder().setStreamId("cam-9").setFrameNo(i).setEventTime(Instant.now()).setHeight(28)
                            .setWidth(28).setChannels(1).setPixels(java.nio.ByteBuffer.wrap(new byte[784])).build())));
                }
            }
            List<Prediction> got = JobFixtures.readPredictions(kafka(bootstrap), 4, Duration.ofSeconds(90));
            assertThat(got).hasSize(4).allSatisfy(p -> {
                assertThat(p.getKey()).isEqualTo("cam-9");
                assertThat(p.getModelId()).isEqualTo("tiny-frames");
            });
            assertThat(got).extracting(p -> p.getKind().toString())
                    .containsExactlyInAnyOrder("FRAME", "FRAME", "MANY_TO_MANY", "MANY_TO_MANY");
        });
    }

    /** What a test does with a Flink cluster's REST port and a broker's bootstrap address. */
    private interface ClusterWork {
        void run(int restPort, String bootstrap) throws Exception;
    }

    /**
     * A MiniCluster with its REST endpoint on 127.0.0.1 and a broker with the pipeline topics. The
     * cluster runs in the test's JVM, whose classpath already holds everything a job ships; a real
     * cluster lacks the shipped jars, so its default child-first order finds one copy of each.
     */
    private static void onClusterAndBroker(ClusterWork work) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(org.apache.flink.configuration.CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             MiniCluster flink = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                     .setNumTaskManagers(1).setNumSlotsPerTaskManager(4).build())) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
            }
            flink.start();
            work.run(flink.getRestAddress().get().getPort(), kafka.bootstrapServers());
        }
    }

    private static Properties kafka(String bootstrap) {
        return JobFixtures.client(bootstrap);
    }
}
