package io.streamnet.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology's logic with Kafka's TopologyTestDriver: per-key state, predictions, dead letters. */
class RnnTopologyTest {
    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_000L);
    private final CpuBackend cpu = CpuBackend.instance();
    private final Vocabulary vocab = Vocabulary.words(List.of("great phone works well", "bad battery broke fast"), 50, 1);
    private final SequenceModel textModel = new SequenceModel(cpu,
            ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 5);
    private final RecordCodec<TextEvent> json = Codecs.of(TextEvent.class, WireFormat.JSON);
    private final RecordCodec<Prediction> predictions = Codecs.of(Prediction.class, WireFormat.AVRO);
    private final RecordCodec<DeadLetter> deadLetters = Codecs.of(DeadLetter.class, WireFormat.AVRO);
    private TopologyTestDriver driver;

    @TempDir
    Path stateDir;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestInputTopic<String, byte[]> start(SequenceModel model, Vocabulary v, StreamsAppConfig config) {
        Properties p = RnnTopology.properties(config, "unused:9092", stateDir.toString());
        driver = new TopologyTestDriver(RnnTopology.build(model, v, config), p);
        return driver.createInputTopic(config.inputTopic(), new StringSerializer(), new ByteArraySerializer());
    }

    private TestOutputTopic<String, byte[]> out(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private byte[] text(String key, long seq, String text, boolean end, Integer label) {
        return json.encode(TextEvent.newBuilder().setKey(key).setSeq(seq).setEventTime(T0).setText(text)
                .setEndOfSequence(end).setLabel(label).build());
    }

    @Test
    void eachConversationGetsOnePredictionAtItsEndEqualToSteppingTheModel() {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 3));
        in.pipeInput("a", text("a", 0, "great", false, null));
        in.pipeInput("b", text("b", 0, "bad battery", false, null));
        in.pipeInput("a", text("a", 1, "phone", false, null));
        in.pipeInput("b", text("b", 1, "broke", true, 0));
        in.pipeInput("a", text("a", 2, "works", true, 1));
        List<Prediction> got = out(PipelineTopics.PREDICTIONS).readValuesToList().stream().map(predictions::decode).toList();
        assertThat(got).extracting(Prediction::getKey).containsExactly("b", "a");
        Prediction a = got.get(1);
        assertThat(a.getModelId()).isEqualTo("m");
        assertThat(a.getModelVersion()).isEqualTo(3);
        assertThat(a.getTrueLabel()).isEqualTo(1);
        // The stream must not change the answer: the same as stepping the model by hand.
        RnnState s = textModel.initialState();
        float[] expected = null;
        for (int id : vocab.encode("great phone works")) {
            SequenceModel.StepResult r = textModel.step(s, id);
            s = r.state();
            expected = r.output();
        }
        assertThat(a.getProbabilities()).containsExactly(expected[0], expected[1]);
        // Ended conversations leave no state behind.
        assertThat(driver.<String, byte[]>getKeyValueStore(RnnTopology.STATE_STORE).get("a")).isNull();
    }

    @Test
    void perStepModeEmitsARollingScoreAfterEveryEvent() {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, true, "m", 1));
        in.pipeInput("a", text("a", 0, "great", false, null));
        in.pipeInput("a", text("a", 1, "phone", false, null));
        in.pipeInput("a", text("a", 2, "works", true, 1));
        List<Prediction> got = out(PipelineTopics.PREDICTIONS).readValuesToList().stream().map(predictions::decode).toList();
        assertThat(got).extracting(p -> p.getKind().name()).containsExactly("ROLLING", "ROLLING", "MANY_TO_ONE");
        assertThat(driver.<String, byte[]>getKeyValueStore(RnnTopology.STATE_STORE).get("a")).isNull();
    }

    @Test
    void badTextInputGoesToDeadLettersWithAReasonAndTheAppKeepsGoing() {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1));
        byte[] garbage = {(byte) 0xff, 0x00, 0x13};
        byte[] missing = "{\"key\":\"x\",\"eventTime\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] empty = text("x", 0, "   ", false, null); // a blank end marker only closes a sequence (NO_OPEN_SEQUENCE here)
        byte[] oversized = new byte[2 << 20];
        in.pipeInput("x", garbage);
        in.pipeInput("x", missing);
        in.pipeInput("x", empty);
        in.pipeInput("x", oversized);
        in.pipeInput("ok", text("ok", 0, "works well", true, 1));
        List<DeadLetter> dead = out(PipelineTopics.DEAD_LETTERS).readValuesToList().stream().map(deadLetters::decode).toList();
        assertThat(dead).extracting(DeadLetter::getReason)
                .containsExactly("MALFORMED_JSON", "MISSING_FIELD", "EMPTY_TEXT", "OVERSIZED");
        assertThat(dead.get(0).getRaw()).isEqualTo(ByteBuffer.wrap(garbage));
        // Dead letters keep at most 64 KiB of a record's bytes, and say so.
        assertThat(dead.get(3).getRaw().remaining()).isEqualTo(64 << 10);
        assertThat(dead.get(3).getDetail()).contains("raw truncated");
        assertThat(dead.get(1).getDetail()).contains("seq");
        assertThat(dead.get(0).getSourceTopic()).isEqualTo(PipelineTopics.TEXT_EVENTS);
        assertThat(out(PipelineTopics.PREDICTIONS).readValuesToList()).hasSize(1);
    }

    @Test
    void anEventWhoseRecordKeyDiffersFromItsKeyIsDeadLettered() {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1));
        in.pipeInput("other", text("a", 0, "great phone", true, 1));
        assertThat(deadLetters.decode(out(PipelineTopics.DEAD_LETTERS).readValue()).getReason()).isEqualTo("KEY_MISMATCH");
        assertThat(out(PipelineTopics.PREDICTIONS).isEmpty()).isTrue();
    }

    @Test
    void aVocabularyOfAnotherSizeIsRefusedAtBuild() {
        Vocabulary bigger = Vocabulary.words(List.of("one two three four five six seven eight nine ten eleven"), 50, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RnnTopology.build(textModel, bigger,
                StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1))).hasMessageContaining("vocabulary");
    }

    @Test
    void validAvroOfAnotherSchemaIsDeadLettered() {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.AVRO, false, "m", 1));
        byte[] frame = Codecs.of(Frame.class, WireFormat.AVRO).encode(Frame.newBuilder().setStreamId("cam").setFrameNo(1)
                .setEventTime(T0).setHeight(2).setWidth(2).setChannels(1).setPixels(ByteBuffer.wrap(new byte[4])).build());
        in.pipeInput("cam", frame);
        DeadLetter d = deadLetters.decode(out(PipelineTopics.DEAD_LETTERS).readValue());
        assertThat(d.getReason()).isIn("UNDECODABLE", "TRAILING_BYTES");
    }

    @Test
    void badFeatureStepsAreDeadLetteredAndGoodOnesPredicted() {
        SequenceModel features = new SequenceModel(cpu,
                ModelConfig.features(CellType.LSTM, 3, 8, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 2);
        // Avro: JSON has no NaN, a binary producer can send one.
        StreamsAppConfig config = StreamsAppConfig.forSteps(WireFormat.AVRO, true, "f", 1);
        TestInputTopic<String, byte[]> in = start(features, null, config);
        RecordCodec<StepEvent> steps = Codecs.of(StepEvent.class, WireFormat.AVRO);
        in.pipeInput("s", steps.encode(StepEvent.newBuilder().setKey("s").setStep(0).setEventTime(T0)
                .setFeatures(List.of(1f, Float.NaN, 0f)).build()));
        in.pipeInput("s", steps.encode(StepEvent.newBuilder().setKey("s").setStep(1).setEventTime(T0)
                .setFeatures(List.of(1f, 2f)).build()));
        in.pipeInput("s", steps.encode(StepEvent.newBuilder().setKey("s").setStep(2).setEventTime(T0)
                .setFeatures(List.of(1f, 2f, 3f)).build()));
        List<DeadLetter> dead = out(PipelineTopics.DEAD_LETTERS).readValuesToList().stream().map(deadLetters::decode).toList();
        assertThat(dead).extracting(DeadLetter::getReason).containsExactly("NON_FINITE", "WRONG_DIMENSION");
        Prediction p = predictions.decode(out(PipelineTopics.PREDICTIONS).readValue());
        assertThat(p.getValues()).hasSize(2);
        assertThat(p.getLabel()).isEqualTo(-1);
        assertThat(p.getKind().name()).isEqualTo("MANY_TO_MANY");
    }

    @Test
    void stateWrittenForAnotherModelShapeIsResetNotMisread() {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 2));
        SequenceModel other = new SequenceModel(cpu,
                ModelConfig.tokens(CellType.LSTM, vocab.size(), 8, 4, 1, 0f, 2, OutputType.MANY_TO_ONE), 5);
        driver.<String, byte[]>getKeyValueStore(RnnTopology.STATE_STORE)
                .put("a", io.streamnet.rnn.state.StateCodec.encode(other.initialState()));
        in.pipeInput("a", text("a", 0, "great phone", true, 1));
        Prediction p = predictions.decode(out(PipelineTopics.PREDICTIONS).readValue());
        float[] fresh = textModel.step(textModel.step(textModel.initialState(), vocab.id("great")).state(),
                vocab.id("phone")).output();
        assertThat(p.getProbabilities()).containsExactly(fresh[0], fresh[1]);
    }

    private byte[] update(SequenceModel m, long version, boolean corrupt) throws Exception {
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, vocab, Map.of()));
        ModelUpdate u = ModelUpdates.toUpdate("m", version, checkpoint, Map.of());
        if (corrupt) {
            checkpoint[checkpoint.length / 2] ^= 1;
            u.setWeights(ByteBuffer.wrap(checkpoint));
        }
        return ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(u);
    }

    @Test
    void aNewerModelInModelUpdatesServesTheNextEventsAndABadOneIsRefused() throws Exception {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1));
        TestInputTopic<String, byte[]> models = driver.createInputTopic(PipelineTopics.MODEL_UPDATES,
                new StringSerializer(), new ByteArraySerializer());
        SequenceModel v2 = new SequenceModel(cpu,
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 77);
        models.pipeInput("m", update(v2, 2, false));
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL);
        in.pipeInput("a", text("a", 0, "great phone", true, 1));
        Prediction p = predictions.decode(out(PipelineTopics.PREDICTIONS).readValue());
        float[] want = v2.step(v2.step(v2.initialState(), vocab.id("great")).state(), vocab.id("phone")).output();
        assertThat(p.getModelVersion()).isEqualTo(2);
        assertThat(p.getProbabilities()).containsExactly(want[0], want[1]);
        // kept in the task's changelogged store: a restarted task serves v2, not the model it started with
        assertThat(new String(driver.<String, byte[]>getKeyValueStore(RnnTopology.SERVING_STORE).get("version"),
                StandardCharsets.UTF_8)).isEqualTo("2");

        models.pipeInput("m", update(textModel, 3, true));
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL);
        assertThat(deadLetters.decode(out(PipelineTopics.DEAD_LETTERS).readValue()).getReason()).isEqualTo("CHECKSUM");
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL);
        assertThat(out(PipelineTopics.DEAD_LETTERS).isEmpty()).as("a refused update is reported once").isTrue();
        in.pipeInput("b", text("b", 0, "great phone", true, 1));
        assertThat(predictions.decode(out(PipelineTopics.PREDICTIONS).readValue()).getModelVersion()).isEqualTo(2);
    }
    @Test
    void anOlderVersionRepublishedOrATombstoneCannotHideTheNewestVersionFromAStartingTask() throws Exception {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1));
        TestInputTopic<String, byte[]> models = driver.createInputTopic(PipelineTopics.MODEL_UPDATES,
                new StringSerializer(), new ByteArraySerializer());
        SequenceModel v7 = new SequenceModel(cpu,
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 77);
        // Keyed as publishers of the first release did (by id), and as an attacker may: the store reads the values.
        models.pipeInput("m", update(v7, 7, false));
        models.pipeInput("m", update(textModel, 3, false));
        models.pipeInput("m", (byte[]) null);
        models.pipeInput("m@7", (byte[]) null);
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL); // the task's first look at the store

        in.pipeInput("a", text("a", 0, "great phone", true, 1));
        assertThat(predictions.decode(out(PipelineTopics.PREDICTIONS).readValue()).getModelVersion()).isEqualTo(7);
    }

    @Test
    void anUnsignedHigherVersionCannotHideTheNewestSignedOne() throws Exception {
        java.security.KeyPair key = io.streamnet.serving.model.UpdateSignatures.generate();
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1)
                .withTrustedKey(key.getPublic().getEncoded()));
        TestInputTopic<String, byte[]> models = driver.createInputTopic(PipelineTopics.MODEL_UPDATES,
                new StringSerializer(), new ByteArraySerializer());
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(textModel, vocab, Map.of()));
        models.pipeInput(ModelUpdates.key("m", 5), ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(
                io.streamnet.serving.model.UpdateSignatures.sign(ModelUpdates.toUpdate("m", 5, checkpoint, Map.of()),
                        key.getPrivate())));
        models.pipeInput(ModelUpdates.key("m", 900), update(textModel, 900, false));
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL);

        in.pipeInput("a", text("a", 0, "great phone", true, 1));
        assertThat(predictions.decode(out(PipelineTopics.PREDICTIONS).readValue()).getModelVersion()).isEqualTo(5);
        assertThat(deadLetters.decode(out(PipelineTopics.DEAD_LETTERS).readValue()).getReason()).isEqualTo("UNSIGNED");
    }

    @Test
    void anUpdateWhoseModelIdNamesTheStoresBestSlotCannotHideTheNewestVersion() throws Exception {
        TestInputTopic<String, byte[]> in = start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1));
        TestInputTopic<String, byte[]> models = driver.createInputTopic(PipelineTopics.MODEL_UPDATES,
                new StringSerializer(), new ByteArraySerializer());
        SequenceModel v7 = new SequenceModel(cpu,
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 77);
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(textModel, vocab, Map.of()));
        models.pipeInput(ModelUpdates.key("m", 7), update(v7, 7, false));
        models.pipeInput(ModelUpdates.key("m", 3), update(textModel, 3, false));
        // A model id of its own whose name is where the store keeps m's newest version, at the highest version.
        models.pipeInput("x", ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(
                ModelUpdates.toUpdate("m\u0000best", io.streamnet.serving.model.UpdateHeader.MAX_VERSION, checkpoint, Map.of())));
        // And a record no header reads, keyed for that same place.
        models.pipeInput("m\u0000best@1", new byte[] {1, 2, 3});
        models.pipeInput(ModelUpdates.key("m", 3), update(textModel, 3, false));
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL); // the task's first look at the store

        in.pipeInput("a", text("a", 0, "great phone", true, 1));
        assertThat(predictions.decode(out(PipelineTopics.PREDICTIONS).readValue()).getModelVersion()).isEqualTo(7);
    }

    @Test
    void updatesOfModelIdsThisAppDoesNotServeAreNotKept() throws Exception {
        start(textModel, vocab, StreamsAppConfig.forText(WireFormat.JSON, false, "m", 1));
        TestInputTopic<String, byte[]> models = driver.createInputTopic(PipelineTopics.MODEL_UPDATES,
                new StringSerializer(), new ByteArraySerializer());
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(textModel, vocab, Map.of()));
        // Each id would hold up to two records of up to 64 MiB in every instance's memory, for as many ids as are written.
        for (int i = 0; i < 20; i++) {
            models.pipeInput(ModelUpdates.key("other-" + i, 1), ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES)
                    .encode(ModelUpdates.toUpdate("other-" + i, 1, checkpoint, Map.of())));
            models.pipeInput("junk-" + i + "@1", new byte[] {1, 2, 3});
        }

        long kept = 0;
        try (var all = driver.<String, byte[]>getKeyValueStore(RnnTopology.MODEL_STORE).all()) {
            while (all.hasNext()) {
                all.next();
                kept++;
            }
        }
        assertThat(kept).isZero();
    }
}
