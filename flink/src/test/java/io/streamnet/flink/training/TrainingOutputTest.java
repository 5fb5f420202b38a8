package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.training.Gradient;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.MockOutput;
import org.junit.jupiter.api.Test;

class TrainingOutputTest {
    final InterceptingOperatorMetricGroup group = new InterceptingOperatorMetricGroup();
    final List<TrainingMessage> sent = new ArrayList<>();
    final TrainingOutput out = new TrainingOutput(new MockOutput<>(sent) {
        @Override
        public void collect(StreamRecord<TrainingMessage> r) {
            sent.add(r.getValue()); // as is: Flink's copy would go through Kryo
        }
    }, new TrainingMetrics(group));

    @Test
    void aGradientIsCountedAsShippedAndCarriesItsVersionAndOwnerNeverAsAPrediction() {
        out.gradient(new Gradient(7, 2, 1.5, new float[][] {{1f, 2f}, {3f}}), "owner-a");
        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.isGradient()).isTrue();
            assertThat(m.version).isEqualTo(7);
            assertThat(m.owner).isEqualTo("owner-a");
            assertThat(m.values).containsExactly(1f, 2f, 3f);
        });
        assertThat(count("gradientsShipped")).isEqualTo(1);
        assertThat(count("sequencesHeldOut")).isZero();
        assertThat(group.get("predictionsOut")).isNull();
    }

    @Test
    void aHeldOutSequenceIsCountedAsHeldOut() {
        out.heldOut(new int[] {4, 5}, new int[] {1});
        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.isGradient()).isFalse();
            assertThat(m.tokens).containsExactly(4, 5);
            assertThat(m.labels).containsExactly(1);
        });
        assertThat(count("sequencesHeldOut")).isEqualTo(1);
        assertThat(count("gradientsShipped")).isZero();
    }

    private long count(String name) {
        return ((Counter) group.get(name)).getCount();
    }
}
