package io.streamnet.flink;

import static io.streamnet.flink.SavepointFixtures.endOffsets;
import static io.streamnet.flink.SavepointFixtures.readOffsets;
import static io.streamnet.flink.SavepointFixtures.restorable;
import static io.streamnet.flink.SavepointFixtures.restoring;
import static io.streamnet.flink.SavepointFixtures.savepoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.flink.sequence.PipelineFixture;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.serving.frame.FrameFixtures;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints of both jobs taken by an earlier build restore into this one: operator uids, state
 * names and serializers are a contract with every running deployment. The fixtures under
 * {@code src/test/resources/savepoints/} were written by {@link #writeFixtures} with the job
 * classes of commit 0e6ea8e (before the serving core moved out of flink-jobs); they hold, mid-stream,
 * open conversations' hidden states, cameras' smoother states and the serving models (v3, which the
 * restored jobs must keep serving although they are started with another v1).
 *
 * <p>Each restore replays the same input prefix into a fresh broker (so the savepoint's source
 * offsets point at the same records), then the rest; every prediction must equal the model's
 * output over the WHOLE sequence (or video), which only the restored state gives.
 */
class SavepointCompatibilityTest {
    private static final String FIXTURE_PROPERTY = "streamnet.savepoint.fixture.write";
    private static final String[] WORDS = {"great", "phone", "works", "well", "bad", "battery", "broke", "fast",
        "screen", "love", "hate", "sound"};
    private static final int CONVERSATIONS = 20;
    private static final int FIRST_WORDS = 3;
    private static final int CAMERAS = 3;
    private static final int FRAMES = 10;
    private static final int FIRST_FRAMES = 5;

    @TempDir
    Path tmp;

    private final RecordCodec<TextEvent> text = Codecs.of(TextEvent.class, WireFormat.AVRO);
    private final RecordCodec<Frame> frames = Codecs.of(Frame.class, WireFormat.AVRO);

    // ---- the sequence job ----

    @Test
    void aSequenceJobSavepointOfTheEarlierBuildRestoresStatesAndTheServingModel() throws Exception {
        Path fixture = SavepointFixtures.copy("sequence", tmp);
        byte[] v3 = Files.readAllBytes(fixture.resolve("model-v3.ckpt"));
        var loaded = RnnCheckpoints.fromCheckpoint(CpuBackend.instance(), Checkpoints.fromBytes(v3));
        List<String[]> conversations = conversations();
        try (PipelineFixture f = new PipelineFixture(2)) {
            produceWords(f, conversations, 0, FIRST_WORDS);
            assertThat(endOffsets(f, PipelineTopics.TEXT_EVENTS)).as("same input prefix as the fixture's run")
                    .isEqualTo(readOffsets(fixture));
            StreamExecutionEnvironment env = restoring(savepoint(fixture));
            SequenceJob.build(env, sequenceConfig(f), otherSequenceModel());
            JobClient job = env.executeAsync(SequenceJob.NAME);
            produceWords(f, conversations, FIRST_WORDS, Integer.MAX_VALUE);
            long later = conversations.stream().filter(w -> w.length > FIRST_WORDS).count();
            List<Prediction> got = f.readPredictions((int) later, Duration.ofSeconds(90));
            job.cancel().get();

            Map<String, Prediction> byKey = new HashMap<>();
            for (Prediction p : got) {
                assertThat(byKey.put(p.getKey(), p)).as("second prediction for %s", p.getKey()).isNull();
            }
            assertThat(byKey).hasSize((int) later);
            for (int c = 0; c < conversations.size(); c++) {
                if (conversations.get(c).length <= FIRST_WORDS) {
                    continue; // predicted before the savepoint
                }
                Prediction p = byKey.get("conv-" + c);
                assertThat(p.getModelVersion()).as("the savepoint's serving model").isEqualTo(3L);
                float[] want = wholeConversation(loaded.model(), loaded.vocabulary(), conversations.get(c));
                assertThat(p.getProbabilities()).as("conv-%d over all its words", c).containsExactly(want[0], want[1]);
            }
        }
    }

    private static SequenceModel sequenceModel(long seed, Vocabulary vocab) {
        return new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.LSTM, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), seed);
    }

    private static Vocabulary vocabulary() {
        return Vocabulary.words(List.of(String.join(" ", WORDS)), 50, 1);
    }

    private static byte[] sequenceCheckpoint(long seed, long version) throws Exception {
        Vocabulary vocab = vocabulary();
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(sequenceModel(seed, vocab), vocab,
                Map.of(ServedSequenceModel.META_ID, "m", ServedSequenceModel.META_VERSION, Long.toString(version))));
    }

    /** What a restored job is started with: the same id and shape, other weights, an older version. */
    private static ServedSequenceModel otherSequenceModel() throws Exception {
        return ServedSequenceModel.load(CpuBackend.instance(), sequenceCheckpoint(9, 1), null, -1);
    }

    private static SequenceJobConfig sequenceConfig(PipelineFixture f) {
        return restorable(f.configure(SequenceJobConfig.builder(), "savepoint-sequence")).batchSize(8).build();
    }

    private static List<String[]> conversations() {
        Random rnd = new Random(11);
        List<String[]> out = new ArrayList<>();
        for (int c = 0; c < CONVERSATIONS; c++) {
            String[] w = new String[2 + rnd.nextInt(6)];
            for (int i = 0; i < w.length; i++) {
                w[i] = WORDS[rnd.nextInt(WORDS.length)];
            }
            out.add(w);
        }
        return out;
    }

    /** Words [from, to) of every conversation, interleaved, from one producer: the same offsets in every run. */
    private void produceWords(PipelineFixture f, List<String[]> conversations, int from, int to) {
        try (var p = f.producer()) {
            for (int i = from; i < Math.min(to, 64); i++) {
                for (int c = 0; c < conversations.size(); c++) {
                    String[] words = conversations.get(c);
                    if (i < words.length) {
                        String key = "conv-" + c;
                        p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, key, text.encode(TextEvent.newBuilder()
                                .setKey(key).setSeq(i).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                                .setText(words[i]).setEndOfSequence(i == words.length - 1).build())));
                    }
                }
            }
            p.flush();
        }
    }

    private static float[] wholeConversation(SequenceModel m, Vocabulary vocab, String[] words) {
        RnnState s = m.initialState();
        float[] out = null;
        for (String w : words) {
            SequenceModel.StepResult r = m.step(s, vocab.id(w));
            s = r.state();
            out = r.output();
        }
        return out;
    }

    // ---- the frame job ----

    @Test
    void aFrameJobSavepointOfTheEarlierBuildRestoresSmootherStatesAndTheServingModel() throws Exception {
        Path fixture = SavepointFixtures.copy("frame", tmp);
        ServedFrameModel v3 = ServedFrameModel.load(CpuBackend.instance(), Files.readAllBytes(fixture.resolve("model-v3.ckpt")),
                null, -1);
        try (PipelineFixture f = new PipelineFixture(2)) {
            produceFrames(f, 0, FIRST_FRAMES);
            assertThat(endOffsets(f, PipelineTopics.FRAMES)).as("same input prefix as the fixture's run")
                    .isEqualTo(readOffsets(fixture));
            StreamExecutionEnvironment env = restoring(savepoint(fixture));
            FrameJob.build(env, frameConfig(f), FrameFixtures.model(frameCheckpoint(7, 8, 1)));
            JobClient job = env.executeAsync(FrameJob.NAME);
            produceFrames(f, FIRST_FRAMES, FRAMES);
            int later = CAMERAS * (FRAMES - FIRST_FRAMES);
            List<Prediction> got = f.readPredictions(2 * later, Duration.ofSeconds(90));
            job.cancel().get();

            assertThat(got).hasSize(2 * later);
            for (int cam = 0; cam < CAMERAS; cam++) {
                String key = "cam-" + cam;
                float[][][] want = wholeVideo(v3, key);
                for (PredictionKind kind : List.of(PredictionKind.FRAME, PredictionKind.MANY_TO_MANY)) {
                    List<Prediction> mine = got.stream()
                            .filter(p -> p.getKind() == kind && p.getKey().toString().equals(key)).toList();
                    assertThat(mine).as("%s %s", kind, key).hasSize(FRAMES - FIRST_FRAMES);
                    for (Prediction p : mine) {
                        int n = (int) p.getStep();
                        assertThat(n).isBetween(FIRST_FRAMES, FRAMES - 1);
                        assertThat(p.getModelVersion()).as("the savepoint's serving model").isEqualTo(3L);
                        float[] w = want[kind == PredictionKind.FRAME ? 0 : 1][n];
                        float[] g = FrameFixtures.floats(p.getProbabilities());
                        assertThat(g).as("%s %s frame %d", kind, key, n).hasSameSizeAs(w);
                        for (int k = 0; k < w.length; k++) {
                            // batched and single-frame forwards round differently in the last bits
                            assertThat(g[k]).as("%s %s frame %d class %d", kind, key, n, k).isCloseTo(w[k], within(1e-5f));
                        }
                    }
                }
            }
        }
    }

    private static byte[] frameCheckpoint(long cnnSeed, long smootherSeed, long version) {
        return FrameFixtures.bytes(FrameFixtures.cnn(cnnSeed), FrameFixtures.smoother(6, smootherSeed), "frames",
                version);
    }

    private static FrameJobConfig frameConfig(PipelineFixture f) {
        return restorable(f.configure(FrameJobConfig.builder(), "savepoint-frames")).batchSize(4).build();
    }

    private static byte[] pixels(String camera, int frameNo) {
        byte[] px = new byte[FrameFixtures.SIDE * FrameFixtures.SIDE];
        new Random(camera.hashCode() * 31L + frameNo).nextBytes(px);
        return px;
    }

    private void produceFrames(PipelineFixture f, int from, int to) {
        try (var p = f.producer()) {
            for (int n = from; n < to; n++) {
                for (int cam = 0; cam < CAMERAS; cam++) {
                    String key = "cam-" + cam;
                    p.send(new ProducerRecord<>(PipelineTopics.FRAMES, key, frames.encode(Frame.newBuilder()
                            .setStreamId(key).setFrameNo(n).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + n))
                            .setHeight(FrameFixtures.SIDE).setWidth(FrameFixtures.SIDE).setChannels(1)
                            .setPixels(ByteBuffer.wrap(pixels(key, n))).build())));
                }
            }
            p.flush();
        }
    }

    /** [0][n]: the CNN's probabilities of frame n; [1][n]: the smoother's after frames 0..n. */
    private static float[][][] wholeVideo(ServedFrameModel m, String camera) {
        FrameClassifier cnn = new FrameClassifier(m, CpuBackend.instance(), 1);
        SequenceModel smoother = m.smoother();
        StateBatch state = smoother.newStateBatch(1);
        state.load(0, smoother.initialState());
        float[][][] out = new float[2][FRAMES][];
        for (int n = 0; n < FRAMES; n++) {
            cnn.load(0, pixels(camera, n));
            cnn.run(1);
            out[0][n] = cnn.probabilities().row(0).toArray();
            smoother.stepBatch(state, 1, null, Tensor.wrap(cnn.features().row(0).toArray(), 1, m.featureSize()));
            out[1][n] = state.output(0).toArray();
        }
        return out;
    }

    // ---- writing the fixtures (by hand, only when the savepoint format is meant to change) ----

    /**
     * Writes both fixtures into the directory named by {@code -Dstreamnet.savepoint.fixture.write}
     * (flink/src/test/resources/savepoints): each job serves v3, reads the input prefix to its
     * end (the source's committed offsets reach the topic's end) and is stopped with a savepoint.
     */
    @Test
    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = ".+")
    void writeFixtures() throws Exception {
        Path out = Path.of(System.getProperty(FIXTURE_PROPERTY));
        List<String[]> conversations = conversations();
        try (PipelineFixture f = new PipelineFixture(2)) {
            byte[] v3 = sequenceCheckpoint(5, 3);
            SequenceJobConfig sc = sequenceConfig(f);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceJob.build(env, sc, ServedSequenceModel.load(CpuBackend.instance(), v3, null, -1));
            JobClient job = env.executeAsync(SequenceJob.NAME);
            produceWords(f, conversations, 0, FIRST_WORDS);
            stopWhenConsumed(f, job, sc.kafka().groupId(), PipelineTopics.TEXT_EVENTS, out.resolve("sequence"), v3);

            byte[] frameV3 = frameCheckpoint(1, 2, 3);
            FrameJobConfig fc = frameConfig(f);
            env = StreamExecutionEnvironment.getExecutionEnvironment();
            FrameJob.build(env, fc, FrameFixtures.model(frameV3));
            job = env.executeAsync(FrameJob.NAME);
            produceFrames(f, 0, FIRST_FRAMES);
            stopWhenConsumed(f, job, fc.kafka().groupId(), PipelineTopics.FRAMES, out.resolve("frame"), frameV3);
        }
    }

    /** Once the job consumed {@code topic} to its end: stopped with a savepoint, kept with its model and offsets. */
    private void stopWhenConsumed(PipelineFixture f, JobClient job, String group, String topic, Path dir,
                                  byte[] model) throws Exception {
        Map<Integer, Long> end = endOffsets(f, topic);
        SavepointFixtures.stopWhen(() -> SavepointFixtures.consumed(f, group, topic, end), topic + " to " + end, job,
                tmp.resolve("sp-" + topic), dir);
        Files.write(dir.resolve("model-v3.ckpt"), model);
        SavepointFixtures.writeOffsets(dir, topic, end);
    }
}
