package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnet run sequence} as a user runs it, in a JVM of its own, killed with SIGKILL in the
 * middle of its conversations and started again with the same command: it resumes from its last
 * retained checkpoint, and every conversation gets exactly one committed prediction with the
 * values of a run that never failed (rnn-core's, word by word).
 */
class LocalJobCrashRecoveryTest {
    static final String[] WORDS = {"great", "phone", "works", "well", "bad", "battery", "broke", "fast", "screen",
        "love", "hate", "sound", "the", "a", "it", "is"};
    static final int CONVERSATIONS = 150;
    static final int CONCURRENT = 25;

    @TempDir
    Path tmp;

    /** One word of one conversation, in the order they are produced. */
    record Word(int conversation, int seq, String word, boolean last) {
    }

    @Test
    void aJobKilledMidStreamAndStartedAgainGivesTheFaultFreePredictions() throws Exception {
        Vocabulary vocab = Vocabulary.words(List.of(String.join(" ", WORDS)), 100, 1);
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 7);
        Path checkpoint = tmp.resolve("crash-model.ckpt");
        RnnCheckpoints.save(model, vocab, Map.of("model.id", "crash-model"), checkpoint);
        List<String[]> conversations = conversations(new Random(5));
        List<Word> words = interleaved(conversations);

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            List<String> run = List.of("run", "sequence", "--bootstrap", kafka.bootstrapServers(), "--model",
                    checkpoint.toString(), "--checkpoint-dir", tmp.resolve("checkpoints").toString(), "--checkpoint-ms",
                    "500", "--group-id", "crash", "--web-port", "0", "--metrics-port", "-1");
            int third = words.size() / 3;
            try (var producer = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                    new ByteArraySerializer()); var predictions = new Committed(kafka)) {
                ChildJvm first = ChildJvm.start(tmp.resolve("first.log"), run);
                first.awaitLine("running", Duration.ofSeconds(120));
                produce(producer, words.subList(0, third));
                // Committed predictions of every conversation that ended in the first third: a checkpoint
                // after them completed, and the job holds the open conversations' states in it.
                long endedBefore = words.subList(0, third).stream().filter(Word::last).count();
                predictions.awaitAtLeast(endedBefore, Duration.ofSeconds(120));
                produce(producer, words.subList(third, third + 40)); // read, maybe not checkpointed yet
                first.kill();

                ChildJvm second = ChildJvm.start(tmp.resolve("second.log"), run);
                second.awaitLine("running", Duration.ofSeconds(120));
                assertThat(second.output()).contains("resuming from checkpoint");
                produce(producer, words.subList(third + 40, words.size()));
                predictions.awaitAtLeast(CONVERSATIONS, Duration.ofSeconds(120));
                second.stop();

                Map<String, Prediction> byKey = new HashMap<>();
                for (Prediction p : predictions.all()) {
                    assertThat(p.getKind()).isEqualTo(PredictionKind.MANY_TO_ONE);
                    assertThat(byKey.put(p.getKey(), p)).as("a second prediction for %s", p.getKey()).isNull();
                }
                assertThat(byKey).hasSize(CONVERSATIONS);
                for (int c = 0; c < CONVERSATIONS; c++) {
                    RnnState s = model.initialState();
                    float[] want = null;
                    for (String w : conversations.get(c)) {
                        for (int id : vocab.encode(w)) {
                            SequenceModel.StepResult r = model.step(s, id);
                            s = r.state();
                            want = r.output();
                        }
                    }
                    assertThat(byKey.get("conv-" + c).getProbabilities()).as("conv-%d", c).containsExactly(want[0], want[1]);
                }
                System.out.printf("killed after %d of %d words; restarted: %s%n", third + 40, words.size(),
                        second.output().lines().filter(l -> l.contains("resuming")).findFirst().orElse("?"));
            }
        }
    }

    static List<String[]> conversations(Random rnd) {
        List<String[]> out = new ArrayList<>();
        for (int c = 0; c < CONVERSATIONS; c++) {
            String[] w = new String[3 + rnd.nextInt(28)];
            for (int i = 0; i < w.length; i++) {
                w[i] = WORDS[rnd.nextInt(WORDS.length)];
            }
            out.add(w);
        }
        return out;
    }

    /** {@link #CONCURRENT} conversations typed at once, word by word, a new one starting as one ends. */
    static List<Word> interleaved(List<String[]> conversations) {
        List<Word> out = new ArrayList<>();
        int[] next = new int[conversations.size()];
        List<Integer> open = new ArrayList<>();
        int started = 0;
        while (started < conversations.size() || !open.isEmpty()) {
            while (open.size() < CONCURRENT && started < conversations.size()) {
                open.add(started++);
            }
            for (int i = 0; i < open.size(); i++) {
                int c = open.get(i);
                String[] w = conversations.get(c);
                out.add(new Word(c, next[c], w[next[c]], next[c] == w.length - 1));
                if (++next[c] == w.length) {
                    open.remove(i--);
                }
            }
        }
        return out;
    }

    static void produce(KafkaProducer<String, byte[]> p, List<Word> words) {
        var codec = Codecs.of(TextEvent.class, WireFormat.AVRO);
        for (Word w : words) {
            String key = "conv-" + w.conversation();
            p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, key, codec.encode(TextEvent.newBuilder().setKey(key)
                    .setSeq(w.seq()).setEventTime(Instant.now()).setText(w.word()).setEndOfSequence(w.last()).build())));
        }
        p.flush();
    }

    /** The committed predictions, read as they come (read_committed). */
    static final class Committed implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<Prediction> seen = new ArrayList<>();
        private final io.streamnet.serving.wire.RecordCodec<Prediction> codec = Codecs.of(Prediction.class, WireFormat.AVRO);

        Committed(EmbeddedKafka kafka) {
            Properties p = kafka.clientProperties();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-test-reader");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(PipelineTopics.PREDICTIONS));
        }

        void awaitAtLeast(long n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(codec.decode(r.value())));
            }
            assertThat(seen.size()).as("committed predictions").isGreaterThanOrEqualTo((int) n);
        }

        /** Everything committed so far, after reading to the end (a second's more polling). */
        List<Prediction> all() {
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(codec.decode(r.value())));
            }
            return seen;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** The streamnet command in a JVM of its own, its output to a file. */
    static final class ChildJvm {
        private final Process process;
        private final Path log;

        private ChildJvm(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static ChildJvm start(Path log, List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // as the streamnet launcher starts it: the same gemm kernel as this JVM's reference, bit for bit
                    "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                    StreamnetCommand.class.getName()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            return new ChildJvm(p, log);
        }

        String output() throws IOException {
            return Files.readString(log);
        }

        void awaitLine(String containing, Duration timeout) throws Exception {
            awaitLine(l -> l.startsWith("job ") && l.contains(containing), containing, timeout);
        }

        /** The first line of its output that {@code matches}, once printed. */
        String awaitLine(java.util.function.Predicate<String> matches, String what, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                var line = output().lines().filter(matches).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the job's JVM exited (" + process.exitValue() + "):\n" + output());
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no '" + what + "' line in time:\n" + output());
        }

        /** The processes it started (and theirs). */
        List<ProcessHandle> descendants() {
            return process.descendants().toList();
        }

        /** SIGKILL: no shutdown hook, no cancel, nothing flushed. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        /** SIGTERM: the command's shutdown hook cancels the job. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
