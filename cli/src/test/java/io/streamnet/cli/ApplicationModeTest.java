package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cli.jobs.ApplicationJob;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.cluster.StandaloneCluster;
import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.kafka.broker.EmbeddedKafka;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job image's entry class in Flink's application mode, as the Kubernetes operator and
 * compose's {@code standalone-job} run it: a JobManager process ({@code
 * StandaloneApplicationClusterEntryPoint}) calls {@link ApplicationJob#main} with the manifest's
 * arguments and a TaskManager process runs the job; its predictions are rnn-core's.
 */
class ApplicationModeTest {
    @TempDir
    Path tmp;

    @Test
    void theApplicationJobRunsInFlinksApplicationModeAndServesTheModelFile() throws Exception {
        Vocabulary v = Vocabulary.words(List.of("great phone works well bad battery broke fast the a it is"), 100, 1);
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, v.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
        Path model = tmp.resolve("tiny-sentiment.ckpt");
        RnnCheckpoints.save(m, v, Map.of("model.id", "tiny-sentiment"), model);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            List<String> args = List.of("sequence", "--model", model.toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--format", "json", "--output-format", "json", "--parallelism", "2", "--checkpoint-ms", "500",
                    "--checkpoint-dir", tmp.resolve("checkpoints").toUri().toString());
            try (StandaloneCluster cluster = StandaloneCluster.startApplication(
                    StandaloneCluster.Settings.local(tmp.resolve("flink"), 2), 1, Duration.ofSeconds(120),
                    ApplicationJob.class.getName(), args)) {
                String[] words = {"great", "phone", "broke"};
                var codec = Codecs.of(TextEvent.class, WireFormat.JSON);
                try (var p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                        new ByteArraySerializer())) {
                    for (int i = 0; i < words.length; i++) {
                        p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, "u1", codec.encode(TextEvent.newBuilder()
                                .setKey("u1").setSeq(i).setEventTime(Instant.now()).setText(words[i])
                                .setEndOfSequence(i == words.length - 1).build())));
                    }
                }
                List<Prediction> got = read(kafka.clientProperties(), 1, Duration.ofSeconds(120));
                assertThat(got).hasSize(1);
                RnnState s = m.initialState();
                float[] want = null;
                for (String w : words) {
                    SequenceModel.StepResult r = m.step(s, v.id(w));
                    s = r.state();
                    want = r.output();
                }
                assertThat(got.get(0).getKey()).isEqualTo("u1");
                assertThat(got.get(0).getModelId()).isEqualTo("tiny-sentiment");
                assertThat(got.get(0).getProbabilities()).containsExactly(want[0], want[1]);
            }
        }
    }

    private static List<Prediction> read(Properties client, int n, Duration timeout) {
        Properties cp = new Properties();
        cp.putAll(client);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "app-mode-check");
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
