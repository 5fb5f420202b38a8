package io.streamnet.dashboard.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.dashboard.server.DashboardJson;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a hostile record can make the dashboard hold and send: bounded, whatever its strings. */
class DashboardStateTest {
    static final String MEGABYTE = "k".repeat(1 << 20);
    static final long NOW = System.currentTimeMillis();

    static Prediction prediction(String key, String modelId, List<Float> probs) {
        return Prediction.newBuilder().setKey(key).setKind(PredictionKind.MANY_TO_ONE).setStep(0)
                .setProbabilities(probs).setLabel(1).setModelId(modelId).setModelVersion(1)
                .setEventTime(Instant.now()).setLatencyMs(5).setTrueLabel(1).build();
    }

    @Test
    void keysModelIdsAndDeadLetterTextsOfAMegabyteAreHeldCappedWithAnEllipsis() throws Exception {
        DashboardState s = new DashboardState("model-updates");
        for (int i = 0; i < 50; i++) {
            s.prediction(prediction(i + MEGABYTE, i + MEGABYTE, List.of(0.2f, 0.8f)), NOW);
        }
        s.deadLetter(DeadLetter.newBuilder().setSourceTopic(MEGABYTE).setPartition(0).setOffset(1).setReason(MEGABYTE)
                .setDetail(MEGABYTE).setRaw(ByteBuffer.wrap(new byte[] {1})).setTime(Instant.now()).build());
        s.modelUpdate(ModelUpdate.newBuilder().setModelId(MEGABYTE).setVersion(2).setArchitecture("{}")
                .setWeights(ByteBuffer.wrap(new byte[] {0})).setChecksum("00").setCreatedAt(Instant.now())
                .setMetrics(Map.of(MEGABYTE, 0.5)).build());

        String json = DashboardJson.mapper().writeValueAsString(s.snapshot(NOW));
        assertThat(json.length()).as("a snapshot of 50 keys, 50 models and a dead letter").isLessThan(100_000);
        String key = s.sentiment().keys().newest(1).get(0).key();
        assertThat(key).hasSize(Shown.KEY).startsWith("49kkk").endsWith(Shown.ELLIPSIS);
        assertThat(s.models().serving().keySet()).allSatisfy(id -> assertThat(id).hasSize(Shown.ID));
        PipelineStats.DeadLetterView d = s.pipeline().newestDeadLetters().get(0);
        assertThat(d.reason()).hasSize(Shown.REASON);
        assertThat(d.detail()).hasSize(Shown.DETAIL);
        assertThat(d.source()).hasSize(Shown.DETAIL);
        ModelTimeline.Version v = s.models().versions().get(0);
        assertThat(v.modelId()).hasSize(Shown.ID);
        assertThat(v.metrics().keySet()).allSatisfy(k -> assertThat(k).hasSize(Shown.ID));
    }

    @Test
    void aTrainingJobThatStoppedPublishingOverAnOwnerConflictShowsOnTheModelTimeline() {
        DashboardState s = new DashboardState("model-updates");
        s.deadLetter(DeadLetter.newBuilder().setSourceTopic("").setPartition(-1).setOffset(-1)
                .setReason("OWNER_CONFLICT").setDetail("another training job published sentiment v9")
                .setRaw(ByteBuffer.wrap(new byte[0])).setTime(Instant.now()).build());

        assertThat(s.models().rejections()).extracting(ModelTimeline.Rejection::reason).containsExactly("OWNER_CONFLICT");
    }

    @Test
    void aModelUpdateKeepsAtMostItsFirstSixteenMetrics() {
        Map<String, Double> metrics = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            metrics.put("m" + i, (double) i);
        }
        DashboardState s = new DashboardState("model-updates");
        s.modelUpdate(ModelUpdate.newBuilder().setModelId("sentiment").setVersion(2).setArchitecture("{}")
                .setWeights(ByteBuffer.wrap(new byte[] {0})).setChecksum("00").setCreatedAt(Instant.now())
                .setMetrics(metrics).build());

        assertThat(s.models().versions().get(0).metrics()).hasSize(DashboardState.METRICS_HELD);
    }

    @Test
    void aStringWithinItsLimitIsKeptAsItIsAndACapNeverSplitsACharacter() {
        assertThat(Shown.cap("conv-1", Shown.KEY)).isEqualTo("conv-1");
        String emoji = "a" + "\uD83D\uDE00".repeat(10); // 1 + 20 chars
        String capped = Shown.cap(emoji, 5);
        assertThat(capped).isEqualTo("a\uD83D\uDE00\u2026").hasSizeLessThanOrEqualTo(5);
    }

    @Test
    void aNanProbabilityOrMetricIsWrittenAsNullNeverAsANumberOrAString() throws Exception {
        DashboardState s = new DashboardState("model-updates");
        s.prediction(prediction("conv-1", "sentiment", List.of(Float.NaN, Float.NaN)), NOW);
        s.modelUpdate(ModelUpdate.newBuilder().setModelId("sentiment").setVersion(2).setArchitecture("{}")
                .setWeights(ByteBuffer.wrap(new byte[] {0})).setChecksum("00").setCreatedAt(Instant.now())
                .setMetrics(Map.of("score", Double.NaN, "loss", Double.POSITIVE_INFINITY, "parentVersion", 1.0))
                .build());

        String json = DashboardJson.mapper().writeValueAsString(s.snapshot(NOW));
        assertThat(json).doesNotContain("NaN").doesNotContain("Infinity");
        JsonNode tree = new ObjectMapper().readTree(json);
        JsonNode metrics = tree.path("models").path("versions").get(0).path("metrics");
        assertThat(metrics.get("score").isNull()).isTrue();
        assertThat(metrics.get("loss").isNull()).isTrue();
        assertThat(metrics.get("parentVersion").asDouble()).isEqualTo(1.0);
        assertThat(tree.path("sentiment").path("keys").get(0).get("score").isNull()).isTrue();
    }
}
