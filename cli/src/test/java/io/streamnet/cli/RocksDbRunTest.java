package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cli.LocalJobCrashRecoveryTest.ChildJvm;
import io.streamnet.cli.LocalJobCrashRecoveryTest.Committed;
import io.streamnet.cli.LocalJobCrashRecoveryTest.Word;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnet run sequence --state-backend rocksdb} in one JVM, as the launcher starts it with
 * the cli's classpath: Flink's RocksDB is the only one there (CliClasspathTest), so the keyed state
 * lives in RocksDB and the predictions arrive, whatever the order of the jars.
 */
class RocksDbRunTest {
    @TempDir
    Path tmp;

    @Test
    void aLocalJobKeepsItsStateInRocksDbAndPredicts() throws Exception {
        Vocabulary vocab = Vocabulary.words(List.of(String.join(" ", LocalJobCrashRecoveryTest.WORDS)), 100, 1);
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 7);
        Path checkpoint = tmp.resolve("rocks-model.ckpt");
        RnnCheckpoints.save(model, vocab, Map.of("model.id", "rocks-model"), checkpoint);
        List<Word> words = IntStream.range(0, 12).boxed().flatMap(c -> IntStream.range(0, 3)
                .mapToObj(i -> new Word(c, i, LocalJobCrashRecoveryTest.WORDS[(c + i) % 16], i == 2))).toList();

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            try (var producer = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                    new ByteArraySerializer()); var predictions = new Committed(kafka)) {
                ChildJvm job = ChildJvm.start(tmp.resolve("job.log"), List.of("run", "sequence", "--bootstrap",
                        kafka.bootstrapServers(), "--model", checkpoint.toString(), "--state-backend", "rocksdb",
                        "--checkpoint-dir", tmp.resolve("checkpoints").toString(), "--checkpoint-ms", "500",
                        "--group-id", "rocks", "--web-port", "0", "--metrics-port", "-1"));
                try {
                    job.awaitLine("running", Duration.ofSeconds(120));
                    LocalJobCrashRecoveryTest.produce(producer, words);
                    predictions.awaitAtLeast(12, Duration.ofSeconds(120));
                } finally {
                    job.stop();
                }
                assertThat(predictions.all()).extracting(Prediction::getKey).doesNotHaveDuplicates().hasSize(12);
                assertThat(job.output()).contains("loads the state backend as EmbeddedRocksDBStateBackend");
                // Kafka Streams' RocksDB first would fail the first keyed state: UnsatisfiedLinkError, org.rocksdb...
                assertThat(job.output().lines().filter(l -> l.contains("UnsatisfiedLinkError")))
                        .noneMatch(l -> l.toLowerCase(java.util.Locale.ROOT).contains("rocksdb"));
            }
        }
    }
}
