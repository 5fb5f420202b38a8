package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.sequence.PipelineFixture;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.training.HeldOutSet;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import io.streamnet.local.flink.StandaloneCluster;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The training job on a real broker and a Flink MiniCluster of two TaskManagers: labelled
 * conversations stream in, versions are published and committed, the last one classifies
 * conversations it never saw far better than the untrained first. The job runs on a standalone
 * cluster of separate JVMs; a TaskManager killed with SIGKILL mid-run (its tasks die, the job
 * restores from its checkpoint on a fresh one) leaves the committed versions strictly increasing,
 * with no duplicate, the optimizer's step count going on from its checkpointed state, and training goes on.
 */
class OnlineTrainingEndToEndTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    static final String[] POSITIVE = {"great", "love", "good", "fast", "nice"};
    static final String[] NEGATIVE = {"bad", "hate", "broke", "slow", "awful"};
    static final String[] NEUTRAL = {"phone", "screen", "battery", "sound", "the", "it"};

    static final int PER_SECOND = 200;

    record Conversation(String[] words, int label) {
    }

    /** 3-7 words with one to three sentiment words of one polarity: the label is that polarity. */
    static List<Conversation> conversations(int n, long seed) {
        Random r = new Random(seed);
        List<Conversation> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            String[] pool = label == 1 ? POSITIVE : NEGATIVE;
            String[] w = new String[3 + r.nextInt(5)];
            for (int j = 0; j < w.length; j++) {
                w[j] = NEUTRAL[r.nextInt(NEUTRAL.length)];
            }
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                w[r.nextInt(w.length)] = pool[r.nextInt(pool.length)];
            }
            out.add(new Conversation(w, label));
        }
        return out;
    }

    static Vocabulary vocabulary() {
        List<String> all = new ArrayList<>(List.of(POSITIVE));
        all.addAll(List.of(NEGATIVE));
        all.addAll(List.of(NEUTRAL));
        return Vocabulary.words(List.of(String.join(" ", all)), 100, 1);
    }

    /** Sends conversations {@code from..to} at about {@code perSecond}, as a live stream would. */
    static void produce(PipelineFixture f, List<Conversation> convs, int from, int to) throws InterruptedException {
        RecordCodec<TextEvent> codec = Codecs.of(TextEvent.class, WireFormat.AVRO);
        try (var p = f.producer()) {
            for (int c = from; c < to; c++) {
                String key = "conv-" + c;
                String[] w = convs.get(c).words();
                for (int i = 0; i < w.length; i++) {
                    boolean last = i == w.length - 1;
                    p.send(new ProducerRecord<>(PipelineTopics.TRAINING_EVENTS, key, codec.encode(TextEvent.newBuilder()
                            .setKey(key).setSeq(i).setEventTime(Instant.now()).setText(w[i])
                            .setLabel(last ? convs.get(c).label() : null).setEndOfSequence(last).build())));
                }
                if (c % 50 == 49) {
                    p.flush();
                    Thread.sleep(1000L * 50 / PER_SECOND);
                }
            }
            p.flush();
        }
    }

    /** Every committed update on the topic so far, in offset order. */
    static List<ModelUpdate> committedUpdates(PipelineFixture f) {
        Properties cp = f.kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "check-updates-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        List<ModelUpdate> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var tp = new org.apache.kafka.common.TopicPartition(PipelineTopics.MODEL_UPDATES, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    out.add(ModelUpdates.codec(Integer.MAX_VALUE).decode(r.value()));
                }
            }
        }
        return out;
    }

    static long awaitVersions(PipelineFixture f, long atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long max = -1;
        while (System.nanoTime() < deadline) {
            max = committedUpdates(f).stream().mapToLong(ModelUpdate::getVersion).max().orElse(-1);
            if (max >= atLeast) {
                return max;
            }
            Thread.sleep(300);
        }
        return max;
    }

    /** Candidates the owner has judged so far: the newest committed version plus the committed refusals. */
    static long judged(PipelineFixture f) {
        long newest = committedUpdates(f).stream().mapToLong(ModelUpdate::getVersion).max().orElse(0);
        long refused = f.readDeadLetters(0, Duration.ofSeconds(3)).stream()
                .filter(d -> d.getReason().toString().equals("CANDIDATE_REJECTED")).count();
        return newest + refused;
    }

    static void awaitJudged(PipelineFixture f, long atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (judged(f) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(300);
        }
    }

    /** Waits until no new version has been committed for {@code quiet} (the input is learned), at most {@code timeout}. */
    static long awaitQuiet(PipelineFixture f, Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long max = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = committedUpdates(f).stream().mapToLong(ModelUpdate::getVersion).max().orElse(-1);
            if (now != max) {
                max = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > quiet.toNanos()) {
                break;
            }
            Thread.sleep(500);
        }
        return max;
    }

    static double accuracy(ModelUpdate u, Vocabulary vocab, List<Conversation> test) throws Exception {
        ServedSequenceModel m = ModelUpdates.validate(CpuBackend.instance(), u);
        List<HeldOutSet.Example> ex = test.stream().map(c -> new HeldOutSet.Example(
                vocab.encode(String.join(" ", c.words())), new int[] {c.label()})).toList();
        return HeldOutSet.score(m.model(), ex);
    }

    @Test
    void versionsLearnAndStayStrictlyIncreasingAcrossAKilledTaskManager() throws Exception {
        Vocabulary vocab = vocabulary();
        SequenceModel untrained = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 7);
        byte[] ckpt = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(untrained, vocab, Map.of()));
        ServedSequenceModel initial = ServedSequenceModel.load(CpuBackend.instance(), ckpt, "online-e2e", 0);
        ModelUpdate first = ModelUpdates.toUpdate("online-e2e", 0, ckpt, Map.of());
        List<Conversation> train = conversations(3000, 1);
        List<Conversation> test = conversations(300, 2);

        try (PipelineFixture f = new PipelineFixture(2);
             StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.Settings.local(tmp.resolve("flink"), 1),
                     2, Duration.ofSeconds(120))) {
            TrainingJobConfig c = f.configure(TrainingJobConfig.builder(), "online-e2e")
                    .parallelism(2)
                    .windowsPerGradient(16)
                    .gradientsPerUpdate(2)
                    .learningRate(0.01f)
                    .publishEvery(Duration.ofSeconds(2))
                    .minHeldOut(20)
                    .promotionMargin(0.03)
                    .restartAttempts(5)
                    .restartInitialBackoff(Duration.ofMillis(200))
                    .restartMaxBackoff(Duration.ofSeconds(2))
                    .checkpointDir(tmp.resolve("checkpoints").toUri().toString()).build(); // reached by every process
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                    cluster.restPort());
            SequenceTrainingJob.build(env, c, initial);
            JobClient job = env.executeAsync(SequenceTrainingJob.NAME);
            String jobId = job.getJobID().toString();

            produce(f, train, 0, 1500);
            long beforeKill = awaitVersions(f, 5, Duration.ofSeconds(120));
            assertThat(beforeKill).as("versions committed before the kill").isGreaterThanOrEqualTo(5);

            cluster.awaitRunning(jobId, Duration.ofSeconds(60));
            long judgedAtKill = judged(f);
            cluster.killTaskManager(0); // SIGKILL: the tasks on it die mid-window
            long killed = System.nanoTime();
            cluster.startTaskManager(); // somewhere to restore to
            cluster.awaitFailovers(jobId, 1, Duration.ofSeconds(60));
            cluster.awaitRunning(jobId, Duration.ofSeconds(120));
            System.out.printf("training job running again %.1f s after the TaskManager kill%n",
                    (System.nanoTime() - killed) / 1e9);
            // The stream goes on live once the job runs again: a backlog piled up during the restore would arrive
            // as one burst, its gradients computed on the restored version, and be dropped as stale.
            produce(f, train, 1500, train.size());
            // A trained model's candidates are mostly refused by the gate: training going on shows in candidates judged.
            awaitJudged(f, judgedAtKill + 5, Duration.ofSeconds(240));
            long after = awaitQuiet(f, Duration.ofSeconds(8), Duration.ofSeconds(240));
            System.out.println("the training job failed over " + cluster.failovers(jobId) + " times");
            job.cancel().get();

            var reasons = new java.util.TreeMap<String, Integer>();
            f.readDeadLetters(0, Duration.ofSeconds(3)).forEach(d -> reasons.merge(d.getReason().toString(), 1,
                    Integer::sum));
            int refusedCandidates = reasons.getOrDefault("CANDIDATE_REJECTED", 0);
            reasons.remove("CANDIDATE_REJECTED"); // the champion/challenger gate at work, not a refused record
            assertThat(reasons).as("no record of the stream was refused").isEmpty();
            List<ModelUpdate> updates = committedUpdates(f);
            List<Long> versions = updates.stream().map(ModelUpdate::getVersion).toList();
            assertThat(versions).as("strictly increasing, no duplicate").isSortedAccordingTo(Long::compare)
                    .doesNotHaveDuplicates();
            assertThat(judged(f) - judgedAtKill).as("training went on after the restore: candidates judged, published or "
                    + "refused").isGreaterThanOrEqualTo(5);
            assertThat(after).isGreaterThanOrEqualTo(beforeKill);
            List<Double> steps = updates.stream().map(u -> u.getMetrics().get("optimizerSteps"))
                    .filter(java.util.Objects::nonNull).toList();
            assertThat(steps).as("the optimizer resumed from its checkpointed state, never from zero")
                    .isSortedAccordingTo(Double::compare).doesNotHaveDuplicates();
            ModelUpdate last = updates.get(updates.size() - 1);
            double before = accuracy(first, vocab, test);
            double learned = accuracy(last, vocab, test);
            System.out.printf("online training e2e: %d versions (v%d before the kill), %d candidates refused, "
                    + "accuracy on unseen conversations %.3f (v0) -> %.3f (v%d)%n", versions.size(), beforeKill,
                    refusedCandidates, before, learned, last.getVersion());
            assertThat(learned).as("the last version beats the first by a clear margin").isGreaterThan(before + 0.25)
                    .isGreaterThan(0.85);
        }
    }
}
