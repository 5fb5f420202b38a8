package io.streamnet.demo;

import io.streamnet.flink.job.Delivery;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;

/**
 * The settings of the jobs the demos build: JSON on the wire, so that {@code kcat} can feed and
 * read their topics; exactly-once with 1 s checkpoints, so predictions show within a second; each
 * job its own consumer group and transactional ids. The rest are the builders' defaults.
 */
final class DemoJobs {
    private DemoJobs() {
    }

    /** The sequence job: batches of 64 within 20 ms. */
    static SequenceJobConfig.Builder sequence(String bootstrap, String groupId, int parallelism) {
        return common(SequenceJobConfig.builder(), bootstrap, groupId, parallelism).batchSize(64).batchMillis(20);
    }

    /** The training job: batches of 64 within 20 ms. */
    static TrainingJobConfig.Builder training(String bootstrap, String groupId, int parallelism) {
        return common(TrainingJobConfig.builder(), bootstrap, groupId, parallelism).batchSize(64).batchMillis(20);
    }

    /** What every demo job shares, on {@code b}. */
    static <B extends KafkaJobConfigBuilder<?, B>> B common(B b, String bootstrap, String groupId, int parallelism) {
        return b.bootstrapServers(bootstrap)
                .inputFormat(WireFormat.JSON)
                .outputFormat(WireFormat.JSON)
                .delivery(Delivery.EXACTLY_ONCE)
                .checkpointInterval(Duration.ofSeconds(1))
                .parallelism(parallelism)
                .groupId(groupId)
                .transactionalIdPrefix(groupId);
    }
}
