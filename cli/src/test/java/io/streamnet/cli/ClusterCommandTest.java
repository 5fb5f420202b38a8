package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * {@code streamnet cluster} as a user runs it: in a JVM of its own it starts 3 Kafka brokers and a
 * Flink session cluster and prints the submit line; the job sent with that line serves
 * predictions; Ctrl-C (SIGTERM) takes every process it started down with it.
 */
class ClusterCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theClusterItPrintsTakesTheSubmittedJobAndStopsWithAllItsProcesses() throws Exception {
        Vocabulary v = Vocabulary.words(List.of("great phone works well bad battery broke"), 100, 1);
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, v.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
        Path model = tmp.resolve("tiny.ckpt");
        RnnCheckpoints.save(m, v, Map.of("model.id", "tiny"), model);

        var cluster = LocalJobCrashRecoveryTest.ChildJvm.start(tmp.resolve("cluster.log"),
                List.of("cluster", "--home", tmp.resolve("home").toString(), "--taskmanagers", "1", "--slots", "2"));
        try {
            String submit = cluster.awaitLine(l -> l.startsWith("submit: "), "submit:", Duration.ofMinutes(3));
            Matcher jm = Pattern.compile("--jobmanager (\\S+)").matcher(submit);
            Matcher bootstrap = Pattern.compile("--bootstrap (\\S+)").matcher(submit);
            Matcher dir = Pattern.compile("--checkpoint-dir (\\S+)").matcher(submit);
            assertThat(jm.find() && bootstrap.find() && dir.find()).as(submit).isTrue();
            assertThat(bootstrap.group(1).split(",")).as("three brokers").hasSize(3);
            List<ProcessHandle> started = cluster.descendants();
            assertThat(started).as("3 brokers, a JobManager and a TaskManager").hasSizeGreaterThanOrEqualTo(5);

            assertThat(CliRun.ok("submit", "sequence", "--jobmanager", jm.group(1), "--bootstrap", bootstrap.group(1),
                    "--checkpoint-dir", dir.group(1), "--model", model.toString(), "--parallelism", "2", "--format",
                    "json", "--output-format", "json", "--checkpoint-ms", "500")).contains("submitted job");
            Properties client = new Properties();
            client.put("bootstrap.servers", bootstrap.group(1));
            var codec = Codecs.of(TextEvent.class, WireFormat.JSON);
            try (var p = new KafkaProducer<>(client, new StringSerializer(), new ByteArraySerializer())) {
                String[] words = {"great", "phone", "works"};
                for (int i = 0; i < words.length; i++) {
                    p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, "u1", codec.encode(TextEvent.newBuilder()
                            .setKey("u1").setSeq(i).setEventTime(Instant.now()).setText(words[i])
                            .setEndOfSequence(i == words.length - 1).build())));
                }
            }
            List<Prediction> got = read(client, Duration.ofSeconds(120));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).getKey()).isEqualTo("u1");

            cluster.stop();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (started.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(started).as("no process outlives the cluster command").noneMatch(ProcessHandle::isAlive);
        } finally {
            cluster.descendants().forEach(ProcessHandle::destroyForcibly);
            cluster.kill();
        }
    }

    private static List<Prediction> read(Properties client, Duration timeout) {
        Properties cp = new Properties();
        cp.putAll(client);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-check");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var codec = Codecs.of(Prediction.class, WireFormat.JSON);
        List<Prediction> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(PipelineTopics.PREDICTIONS));
            while (out.isEmpty() && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(codec.decode(r.value())));
            }
        }
        return out;
    }
}
