package io.streamnet.kafka.admin;

import java.util.List;
import java.util.Map;

/** The topics of the streamnet pipeline and their defaults. */
public final class PipelineTopics {
    public static final String TEXT_EVENTS = "text-events";
    public static final String STEP_EVENTS = "step-events";
    /** Labelled text events the training job learns from (same schema as text-events). */
    public static final String TRAINING_EVENTS = "training-events";
    public static final String FRAMES = "frames";
    public static final String PREDICTIONS = "predictions";
    public static final String MODEL_UPDATES = "model-updates";
    public static final String DEAD_LETTERS = "dead-letters";

    private static final String WEEK_MS = Long.toString(7L * 24 * 3600 * 1000);

    private PipelineTopics() {
    }

    /** Every pipeline topic with {@code partitions} partitions (model updates: one, compacted by model id). */
    public static List<TopicSpec> all(int partitions, short replication) {
        Map<String, String> week = Map.of("retention.ms", WEEK_MS);
        return List.of(
                new TopicSpec(TEXT_EVENTS, partitions, replication, week),
                new TopicSpec(STEP_EVENTS, partitions, replication, week),
                new TopicSpec(TRAINING_EVENTS, partitions, replication, week),
                new TopicSpec(FRAMES, partitions, replication, Map.of("retention.ms", WEEK_MS,
                        "max.message.bytes", Integer.toString(2 << 20))),
                new TopicSpec(PREDICTIONS, partitions, replication, week),
                // One partition keeps versions in order; compaction keeps the latest model per id forever.
                new TopicSpec(MODEL_UPDATES, 1, replication, Map.of("cleanup.policy", "compact",
                        "max.message.bytes", Integer.toString(64 << 20))),
                new TopicSpec(DEAD_LETTERS, partitions, replication, Map.of("retention.ms",
                        Long.toString(30L * 24 * 3600 * 1000))));
    }
}
