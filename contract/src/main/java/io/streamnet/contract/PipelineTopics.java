package io.streamnet.contract;

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

    /** Every pipeline topic with {@code partitions} partitions (model updates: one, every version kept). */
    public static List<TopicSpec> all(int partitions, short replication) {
        Map<String, String> week = Map.of("retention.ms", WEEK_MS);
        return List.of(
                new TopicSpec(TEXT_EVENTS, partitions, replication, week),
                new TopicSpec(STEP_EVENTS, partitions, replication, week),
                new TopicSpec(TRAINING_EVENTS, partitions, replication, week),
                new TopicSpec(FRAMES, partitions, replication, Map.of("retention.ms", WEEK_MS,
                        "max.message.bytes", Integer.toString(2 << 20))),
                new TopicSpec(PREDICTIONS, partitions, replication, week),
                // One partition keeps versions in order. Never compacted and never expired: compaction by
                // model id let anyone who can write hide the newest version (an old one re-published, a
                // tombstone), and expiry would drop the only copy of a model that is not retrained. Every
                // version stays (keyed id@version, ModelUpdates.key); readers take the highest they can
                // verify and ignore tombstones; old versions are pruned by an operator (kafka-delete-records).
                new TopicSpec(MODEL_UPDATES, 1, replication, Map.of("cleanup.policy", "delete",
                        "retention.ms", "-1", "retention.bytes", "-1",
                        "max.message.bytes", Integer.toString(64 << 20))),
                new TopicSpec(DEAD_LETTERS, partitions, replication, Map.of("retention.ms",
                        Long.toString(30L * 24 * 3600 * 1000))));
    }
}
