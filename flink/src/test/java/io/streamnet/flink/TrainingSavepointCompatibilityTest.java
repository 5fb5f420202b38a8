package io.streamnet.flink;

import static io.streamnet.flink.SavepointFixtures.consumed;
import static io.streamnet.flink.SavepointFixtures.endOffsets;
import static io.streamnet.flink.SavepointFixtures.readOffsets;
import static io.streamnet.flink.SavepointFixtures.restorable;
import static io.streamnet.flink.SavepointFixtures.restoring;
import static io.streamnet.flink.SavepointFixtures.savepoint;
import static io.streamnet.flink.SavepointFixtures.stopWhen;
import static io.streamnet.flink.SavepointFixtures.writeOffsets;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.flink.sequence.PipelineFixture;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.training.ModelOwner;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint of the online training job taken by an earlier build restores into this one: its
 * operator uids, state names and serializers are a contract with every running deployment, as the
 * inference jobs' are ({@link SavepointCompatibilityTest}). The fixture under
 * {@code src/test/resources/savepoints/training/} was written by {@link #writeFixture} with the job
 * classes of commit 589b0f2 (before the modules were split); it holds, mid-stream, the model owner
 * (weights, Adam's moments and step count, version, instance id, gradients applied since the last
 * version), the training subtasks' model and the open conversations' tokens and last seq, and the
 * versions the job had published (model-updates/, one record a file, in offset order).
 *
 * <p>The restore replays both topics' prefixes into a fresh broker (so the savepoint's source
 * offsets point at the same records), starts the job from the savepoint with another, older model
 * (v1, other weights), and feeds the rest: the versions it publishes must go on from the
 * savepoint's, under the owner instance and optimizer it kept, and a redelivered event of an open
 * conversation must be known as already learned.
 */
class TrainingSavepointCompatibilityTest {
    private static final String FIXTURE_PROPERTY = "streamnet.savepoint.fixture.write";
    private static final String MODEL_ID = "savepoint-training";
    private static final String GROUP = "savepoint-training";
    private static final String[] POSITIVE = {"great", "love", "good", "fast", "nice"};
    private static final String[] NEGATIVE = {"bad", "hate", "broke", "slow", "awful"};
    private static final String[] NEUTRAL = {"phone", "screen", "battery", "sound", "the", "it"};
    /** Conversations 0..47 end before the savepoint; 48..55 are open at it (their first words only); 56..95 come after. */
    private static final int ENDED_BEFORE = 48;
    private static final int OPEN = 8;
    private static final int CONVERSATIONS = 96;
    private static final int OPEN_WORDS = 2;
    private static final int INITIAL_VERSION = 3;

    @TempDir
    Path tmp;

    private final RecordCodec<TextEvent> text = Codecs.of(TextEvent.class, WireFormat.AVRO);

    record Conversation(String[] words, int label) {
    }

    @Test
    void aTrainingJobSavepointOfTheEarlierBuildRestoresTheModelOwnerAndTheKeysState() throws Exception {
        Path fixture = SavepointFixtures.copy("training", tmp);
        List<byte[]> published = publishedBefore(fixture);
        assertThat(published).as("versions the fixture's job published before its savepoint").isNotEmpty();
        ModelUpdate lastBefore = ModelUpdates.codec(Integer.MAX_VALUE).decode(published.get(published.size() - 1));
        long savepointVersion = lastBefore.getVersion();
        String owner = ownerOf(lastBefore);
        double stepsBefore = lastBefore.getMetrics().get("optimizerSteps");
        List<Conversation> convs = conversations();
        Conversation redelivered = convs.get(ENDED_BEFORE);

        try (PipelineFixture f = new PipelineFixture(2)) {
            try (var p = f.producer()) {
                for (byte[] u : published) {
                    ModelUpdate d = ModelUpdates.codec(Integer.MAX_VALUE).decode(u);
                    p.send(new ProducerRecord<>(PipelineTopics.MODEL_UPDATES,
                            ModelUpdates.key(d.getModelId().toString(), d.getVersion()), u));
                }
                p.flush();
            }
            producePrefix(f, convs);
            assertThat(endOffsets(f, PipelineTopics.TRAINING_EVENTS)).as("same input prefix as the fixture's run")
                    .isEqualTo(readOffsets(fixture));

            StreamExecutionEnvironment env = restoring(savepoint(fixture));
            ServedSequenceModel older = model(9, 1);
            SequenceTrainingJob.build(env, config(f), older);
            JobClient job = env.executeAsync(SequenceTrainingJob.NAME);
            try (var p = f.producer()) {
                // the open conversation's last word before the savepoint, sent again (a producer's retry)
                send(p, "conv-" + ENDED_BEFORE, redelivered, OPEN_WORDS - 1);
                p.flush();
            }
            produceRest(f, convs);
            List<ModelUpdate> after = publishedAfter(f, published.size(), Duration.ofSeconds(60));
            List<DeadLetter> deadLetters = f.readDeadLetters(1, Duration.ofSeconds(20));
            job.cancel().get();
            System.out.printf("training savepoint restored: v%d (%.0f optimizer steps) before, %s after (%s steps), "
                    + "dead letters %s%n", savepointVersion, stepsBefore,
                    after.stream().map(ModelUpdate::getVersion).toList(),
                    after.stream().map(u -> u.getMetrics().get("optimizerSteps")).toList(),
                    deadLetters.stream().map(DeadLetter::getReason).toList());

            assertThat(after).as("versions published after the restore").isNotEmpty();
            ModelUpdate first = after.get(0);
            assertThat(first.getVersion()).as("the owner's version goes on from the savepoint's, not from v1")
                    .isEqualTo(savepointVersion + 1);
            assertThat(after.stream().map(ModelUpdate::getVersion).toList()).as("one version after another")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(savepointVersion + 1,
                            savepointVersion + after.size()).boxed().toList());
            assertThat(first.getMetrics().get("parentVersion")).isEqualTo((double) savepointVersion);
            assertThat(ownerOf(first)).as("the owner instance kept in the savepoint").isEqualTo(owner);
            assertThat(first.getMetrics().get("optimizerSteps")).as("Adam's step count goes on from the savepoint's")
                    .isGreaterThan(stepsBefore);
            float[] continued = weights(ModelUpdates.validate(CpuBackend.instance(), first).model());
            float[] savepointWeights = weights(ModelUpdates.validate(CpuBackend.instance(), lastBefore).model());
            assertThat(maxDistance(continued, savepointWeights)).as("learned on from the savepoint's weights, "
                    + "not the v1 the job was started with")
                    .isLessThan(maxDistance(continued, weights(older.model())) / 5);
            assertThat(deadLetters).as("the redelivered event, already learned from before the savepoint")
                    .singleElement().satisfies(d -> {
                        assertThat(d.getReason().toString()).isEqualTo("DUPLICATE");
                        assertThat(d.getDetail().toString()).contains("conv-" + ENDED_BEFORE);
                    });
        }
    }

    // ---- the input and the model ----

    /** 3-6 words with one or two sentiment words of one polarity: the label is that polarity. */
    private static List<Conversation> conversations() {
        Random r = new Random(21);
        List<Conversation> out = new ArrayList<>();
        for (int i = 0; i < CONVERSATIONS; i++) {
            int label = r.nextInt(2);
            String[] pool = label == 1 ? POSITIVE : NEGATIVE;
            String[] w = new String[3 + r.nextInt(4)];
            for (int j = 0; j < w.length; j++) {
                w[j] = NEUTRAL[r.nextInt(NEUTRAL.length)];
            }
            for (int k = 0; k < 1 + r.nextInt(2); k++) {
                w[r.nextInt(w.length)] = pool[r.nextInt(pool.length)];
            }
            out.add(new Conversation(w, label));
        }
        return out;
    }

    private static Vocabulary vocabulary() {
        List<String> all = new ArrayList<>(List.of(POSITIVE));
        all.addAll(List.of(NEGATIVE));
        all.addAll(List.of(NEUTRAL));
        return Vocabulary.words(List.of(String.join(" ", all)), 100, 1);
    }

    private static ServedSequenceModel model(long seed, long version) throws Exception {
        Vocabulary vocab = vocabulary();
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), seed);
        byte[] ckpt = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, vocab, Map.of(ServedModel.META_ID, MODEL_ID,
                ServedModel.META_VERSION, Long.toString(version))));
        return ServedSequenceModel.load(CpuBackend.instance(), ckpt, null, -1);
    }

    /**
     * As every restored fixture's job ({@link SavepointFixtures#restorable}), and: no held-out
     * slice (every candidate is promoted unscored) and versions only every 2 gradients (no timer):
     * what is published depends on the input alone.
     */
    private TrainingJobConfig config(PipelineFixture f) {
        return restorable(f.configure(TrainingJobConfig.builder(), GROUP))
                .checkpointDir(tmp.resolve("checkpoints").toUri().toString())
                .batchSize(16)
                .windowsPerGradient(8)
                .gradientsPerUpdate(2)
                .learningRate(0.01f)
                .heldOutShare(0)
                .publishEvery(Duration.ofHours(1)).build();
    }

    /** Conversations that end before the savepoint, then the open ones' first words, from one producer. */
    private void producePrefix(PipelineFixture f, List<Conversation> convs) {
        try (var p = f.producer()) {
            for (int c = 0; c < ENDED_BEFORE; c++) {
                for (int i = 0; i < convs.get(c).words().length; i++) {
                    send(p, "conv-" + c, convs.get(c), i);
                }
            }
            for (int c = ENDED_BEFORE; c < ENDED_BEFORE + OPEN; c++) {
                for (int i = 0; i < OPEN_WORDS; i++) {
                    send(p, "conv-" + c, convs.get(c), i);
                }
            }
            p.flush();
        }
    }

    /** The open conversations' other words, then conversations that begin after the savepoint. */
    private void produceRest(PipelineFixture f, List<Conversation> convs) {
        try (var p = f.producer()) {
            for (int c = ENDED_BEFORE; c < ENDED_BEFORE + OPEN; c++) {
                for (int i = OPEN_WORDS; i < convs.get(c).words().length; i++) {
                    send(p, "conv-" + c, convs.get(c), i);
                }
            }
            for (int c = ENDED_BEFORE + OPEN; c < CONVERSATIONS; c++) {
                for (int i = 0; i < convs.get(c).words().length; i++) {
                    send(p, "conv-" + c, convs.get(c), i);
                }
            }
            p.flush();
        }
    }

    private void send(KafkaProducer<String, byte[]> p, String key, Conversation c, int i) {
        boolean last = i == c.words().length - 1;
        p.send(new ProducerRecord<>(PipelineTopics.TRAINING_EVENTS, key, text.encode(TextEvent.newBuilder()
                .setKey(key).setSeq(i).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                .setText(c.words()[i]).setLabel(last ? c.label() : null).setEndOfSequence(last).build())));
    }

    // ---- reading what the job did ----

    /** The committed model-updates records, in offset order (the topic has one partition). */
    private static List<byte[]> modelUpdates(PipelineFixture f) {
        Properties cp = f.kafka.clientProperties();
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        List<byte[]> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var tp = new TopicPartition(PipelineTopics.MODEL_UPDATES, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /** The updates after the first {@code skip} records once some came and none followed for 3 s (or the timeout). */
    private static List<ModelUpdate> publishedAfter(PipelineFixture f, int skip, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = -1;
        long since = System.nanoTime();
        List<byte[]> all = modelUpdates(f);
        while (System.nanoTime() < deadline) {
            all = modelUpdates(f);
            if (all.size() != seen) {
                seen = all.size();
                since = System.nanoTime();
            } else if (seen > skip && System.nanoTime() - since > 3_000_000_000L) {
                break;
            }
            Thread.sleep(300); // polling the topic, not waiting for a guess
        }
        List<ModelUpdate> out = new ArrayList<>();
        for (byte[] u : all.subList(Math.min(skip, all.size()), all.size())) {
            out.add(ModelUpdates.codec(Integer.MAX_VALUE).decode(u));
        }
        return out;
    }

    private static String ownerOf(ModelUpdate u) throws Exception {
        ByteBuffer b = u.getWeights().duplicate();
        byte[] ckpt = new byte[b.remaining()];
        b.get(ckpt);
        return Checkpoints.fromBytes(ckpt).metadata().get(ModelOwner.META_OWNER);
    }

    private static float[] weights(SequenceModel m) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (Parameter p : m.parameters()) {
            float[] v = p.value().toArray();
            parts.add(v);
            n += v.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] v : parts) {
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private static double maxDistance(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    // ---- the fixture's files ----

    /** The fixture's model-updates records, in offset order (files named by offset). */
    private static List<byte[]> publishedBefore(Path fixture) throws IOException {
        try (Stream<Path> files = Files.list(fixture.resolve("model-updates"))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        }
    }

    // ---- writing the fixture (by hand, only when the savepoint format is meant to change) ----

    /**
     * Writes the fixture into {@code -Dstreamnet.savepoint.fixture.write}/training
     * (flink/src/test/resources/savepoints): the job starts from v3, reads the input prefix to
     * its end and the versions it published (both sources' committed offsets reach their topics'
     * ends, so its training subtasks learn on the newest) and is stopped with a savepoint.
     */
    @Test
    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = ".+")
    void writeFixture() throws Exception {
        Path out = Path.of(System.getProperty(FIXTURE_PROPERTY)).resolve("training");
        try (PipelineFixture f = new PipelineFixture(2)) {
            TrainingJobConfig c = config(f);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceTrainingJob.build(env, c, model(5, INITIAL_VERSION));
            JobClient job = env.executeAsync(SequenceTrainingJob.NAME);
            producePrefix(f, conversations());
            Map<Integer, Long> input = endOffsets(f, PipelineTopics.TRAINING_EVENTS);
            stopWhen(() -> consumed(f, c.kafka().groupId(), PipelineTopics.TRAINING_EVENTS, input)
                            && consumed(f, c.kafka().groupId() + "-models", PipelineTopics.MODEL_UPDATES,
                            endOffsets(f, PipelineTopics.MODEL_UPDATES)),
                    "its input and its versions", job, tmp.resolve("sp"), out);
            List<byte[]> updates = modelUpdates(f);
            Files.createDirectories(out.resolve("model-updates"));
            for (int i = 0; i < updates.size(); i++) {
                Files.write(out.resolve("model-updates").resolve(String.format("%05d.avro", i)), updates.get(i));
            }
            writeOffsets(out, PipelineTopics.TRAINING_EVENTS, input);
        }
    }
}
