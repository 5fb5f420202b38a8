package io.streamnet.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.flink.job.Delivery;
import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jobs the demos build: what kcat and a viewer of the demo rely on. */
class DemoJobsTest {
    @Test
    void everyDemoJobSpeaksJsonExactlyOnceWithCheckpointsEverySecondUnderItsOwnGroup() {
        SequenceJobConfig sequence = DemoJobs.sequence("127.0.0.1:1", "streamnet-demo", 2).build();
        TrainingJobConfig training = DemoJobs.training("127.0.0.1:1", "streamnet-demo-train", 1).build();
        FrameJobConfig frames = DemoJobs.common(FrameJobConfig.builder(), "127.0.0.1:1", "streamnet-demo-frames", 2)
                .build();

        for (KafkaJobConfig c : List.of(sequence, training, frames)) {
            assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:1");
            assertThat(c.kafka().inputFormat()).isEqualTo(WireFormat.JSON);
            assertThat(c.kafka().outputFormat()).isEqualTo(WireFormat.JSON);
            assertThat(c.kafka().delivery()).isEqualTo(Delivery.EXACTLY_ONCE);
            assertThat(c.recovery().checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(c.kafka().transactionalIdPrefix()).isEqualTo(c.kafka().groupId());
        }
        assertThat(List.of(sequence, training, frames)).extracting(c -> c.kafka().groupId())
                .containsExactly("streamnet-demo", "streamnet-demo-train", "streamnet-demo-frames");
        assertThat(List.of(sequence.parallelism(), training.parallelism(), frames.parallelism()))
                .containsExactly(2, 1, 2);
    }

    @Test
    void sequenceAndTrainingJobsBatch64EventsWithin20Ms() {
        for (KafkaJobConfig c : List.of(DemoJobs.sequence("127.0.0.1:1", "g", 1).build(),
                DemoJobs.training("127.0.0.1:1", "g", 1).build())) {
            assertThat(c.batching().size()).isEqualTo(64);
            assertThat(c.batching().maxWaitMillis()).isEqualTo(20);
        }
    }
}
