package io.streamnet.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.StepEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Streams app under records and models that fail: the same rules as the Flink operator's. */
class StreamsPoisonTest {
    private final SequenceModel healthy = PoisonModels.healthy(OutputType.MANY_TO_MANY);
    private final RecordCodec<StepEvent> json = Codecs.of(StepEvent.class, WireFormat.JSON);
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

    private TestInputTopic<String, byte[]> start(StreamsAppConfig config) {
        driver = new TopologyTestDriver(RnnTopology.build(healthy, null, config),
                RnnTopology.properties(config, "unused:9092", stateDir.toString()));
        return driver.createInputTopic(config.inputTopic(), new StringSerializer(), new ByteArraySerializer());
    }

    private static StreamsAppConfig perStep() {
        return StreamsAppConfig.forSteps(WireFormat.JSON, true, "m", 1);
    }

    private byte[] step(String key, long seq, float x) {
        return json.encode(StepEvent.newBuilder().setKey(key).setStep(seq).setEventTime(Instant.ofEpochMilli(1_000))
                .setFeatures(List.of(x)).setEndOfSequence(false).build());
    }

    private List<Prediction> predicted() {
        return driver.createOutputTopic(PipelineTopics.PREDICTIONS, new StringDeserializer(), new ByteArrayDeserializer())
                .readValuesToList().stream().map(predictions::decode).toList();
    }

    private List<String> reasons() {
        return driver.createOutputTopic(PipelineTopics.DEAD_LETTERS, new StringDeserializer(), new ByteArrayDeserializer())
                .readValuesToList().stream().map(b -> deadLetters.decode(b).getReason().toString()).toList();
    }

    @Test
    void aDuplicateOrEarlierEventOfAKeyIsDeadLetteredAndDoesNotStepItsStateAgain() {
        TestInputTopic<String, byte[]> in = start(perStep());
        in.pipeInput("a", step("a", 0, 0.1f));
        in.pipeInput("a", step("a", 1, 0.2f));
        in.pipeInput("a", step("a", 1, 0.2f));
        in.pipeInput("a", step("a", 0, 0.1f));
        in.pipeInput("a", step("a", 2, 0.3f));

        assertThat(reasons()).containsExactly("DUPLICATE", "OUT_OF_ORDER");
        List<Prediction> got = predicted();
        assertThat(got).extracting(Prediction::getStep).containsExactly(0L, 1L, 2L);
        var s = healthy.step(healthy.step(healthy.initialState(), new float[] {0.1f}).state(), new float[] {0.2f}).state();
        assertThat(got.get(2).getValues()).containsExactly(healthy.step(s, new float[] {0.3f}).output()[0]);
    }

    @Test
    void aSwappedInModelThatFailsOnLiveInputIsRolledBackInTheTaskAndItsStore() throws Exception {
        TestInputTopic<String, byte[]> in = start(perStep());
        TestInputTopic<String, byte[]> models = driver.createInputTopic(PipelineTopics.MODEL_UPDATES,
                new StringSerializer(), new ByteArraySerializer());
        byte[] latent = PoisonModels.bytes(PoisonModels.failsAbove(OutputType.MANY_TO_MANY));
        models.pipeInput("m", ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES)
                .encode(ModelUpdates.toUpdate("m", 2, latent, Map.of())));
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL);

        in.pipeInput("a", step("a", 0, 5f));
        in.pipeInput("b", step("b", 0, 0.5f));

        assertThat(reasons()).containsExactly("MODEL_ERROR", "FAILED_IN_SERVICE");
        assertThat(predicted()).extracting(Prediction::getModelVersion).containsExactly(1L);
        assertThat(new String(driver.<String, byte[]>getKeyValueStore(RnnTopology.SERVING_STORE).get("version"),
                StandardCharsets.UTF_8)).isEqualTo("1");
        driver.advanceWallClockTime(RnnInferenceProcessor.MODEL_POLL);
        assertThat(reasons()).as("the rolled-back update is not taken again").isEmpty();
    }

    @Test
    void aKeyIdlePastTheStateTtlLosesItsState() {
        TestInputTopic<String, byte[]> in = start(perStep().withStateTtl(Duration.ofMinutes(1)));
        for (int k = 0; k < 1_000; k++) {
            in.pipeInput("k" + k, step("k" + k, 0, 0.1f));
        }
        var state = driver.<String, byte[]>getKeyValueStore(RnnTopology.STATE_STORE);
        assertThat(state.approximateNumEntries()).isEqualTo(1_000);

        driver.advanceWallClockTime(Duration.ofSeconds(50));
        in.pipeInput("fresh", step("fresh", 0, 0.1f));
        driver.advanceWallClockTime(Duration.ofSeconds(30));

        assertThat(state.get("k0")).isNull();
        assertThat(state.get("fresh")).isNotNull();
        assertThat(state.approximateNumEntries()).isEqualTo(1);
    }
}
