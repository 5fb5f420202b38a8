package io.streamnet.kafka.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TailStatsTest {
    private static Prediction p(int label, Integer truth, long latency, long eventTime) {
        return Prediction.newBuilder().setKey("k").setKind(PredictionKind.MANY_TO_ONE).setStep(0).setLabel(label)
                .setTrueLabel(truth).setModelId("m").setModelVersion(1).setEventTime(Instant.ofEpochMilli(eventTime))
                .setLatencyMs(latency).build();
    }

    @Test
    void percentilesUseNearestRank() {
        TailStats s = new TailStats();
        for (int i = 1; i <= 100; i++) {
            s.record(p(0, null, i, 0), 1000 + i);
        }
        assertThat(s.processingPercentile(0.5)).isEqualTo(50);
        assertThat(s.processingPercentile(0.99)).isEqualTo(99);
        assertThat(s.endToEndPercentile(0.5)).isEqualTo(1050);
        assertThat(s.ratePerSecond()).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void accuracyCountsOnlyLabelledPredictions() {
        TailStats s = new TailStats();
        s.record(p(1, 1, 1, 0), 1);
        s.record(p(0, 1, 1, 0), 2);
        s.record(p(0, null, 1, 0), 3);
        assertThat(s.accuracy()).isEqualTo(0.5);
        assertThat(s.summary()).contains("over 2 labelled");
    }

    @Test
    void withoutLabelsAccuracyIsNotMadeUp() {
        TailStats s = new TailStats();
        s.record(p(1, null, 1, 0), 1);
        assertThat(s.accuracy()).isNaN();
        assertThat(s.summary()).contains("no labels");
    }

    @Test
    void aTopicOfSeveralKindsGetsTheAccuracyOfEachKind() {
        TailStats s = new TailStats();
        s.record(p(1, 1, 1, 0), 1);
        s.record(Prediction.newBuilder(p(3, 3, 1, 0)).setKind(PredictionKind.FRAME).build(), 2);
        s.record(Prediction.newBuilder(p(3, 4, 1, 0)).setKind(PredictionKind.FRAME).build(), 3);
        assertThat(s.accuracy(PredictionKind.MANY_TO_ONE)).isEqualTo(1.0);
        assertThat(s.accuracy(PredictionKind.FRAME)).isEqualTo(0.5);
        assertThat(s.accuracy(PredictionKind.ROLLING)).isNaN();
        assertThat(s.summary()).contains("(MANY_TO_ONE 1.0000/1, FRAME 0.5000/2)");
    }
}
