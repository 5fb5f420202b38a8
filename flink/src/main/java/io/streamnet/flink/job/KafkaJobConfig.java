package io.streamnet.flink.job;

import io.streamnet.serving.event.EventOrder;
import java.io.Serializable;
import java.util.List;

/**
 * What every streamnet job reading from Kafka to Kafka has in common, in parts: {@link KafkaPart}
 * (brokers, topics, formats, group, delivery), {@link BatchingPart}, {@link ModelPart} (updates
 * followed, size limit, trusted key), {@link LimitsPart} (record and key sizes, state TTL, order)
 * and {@link RecoveryPart} (checkpoints, restore, restarts), plus the parallelism and the uid
 * prefix. Immutable: a job's config is made by its builder ({@link KafkaJobConfigBuilder}), whose
 * defaults work against a local broker and whose {@code build()} lists every problem at once.
 */
public abstract class KafkaJobConfig implements Serializable {
    private static final long serialVersionUID = 2L;

    private final int parallelism;
    private final String uidPrefix;
    private final KafkaPart kafka;
    private final BatchingPart batching;
    private final ModelPart model;
    private final LimitsPart limits;
    private final RecoveryPart recovery;

    protected KafkaJobConfig(KafkaJobConfigBuilder<?, ?> b) {
        parallelism = b.parallelism;
        uidPrefix = b.uidPrefix;
        kafka = new KafkaPart(b.bootstrapServers, b.client, b.inputTopic, b.inputFormat, b.predictionsTopic,
                b.outputFormat, b.deadLetterTopic, b.modelUpdatesTopic, b.groupId, b.transactionalIdPrefix,
                b.fromEarliest, b.bounded, b.delivery, b.transactionTimeout);
        batching = new BatchingPart(b.batchSize, b.batchMillis);
        model = new ModelPart(b.followModelUpdates, b.maxModelBytes, b.trustedUpdateKey);
        limits = new LimitsPart(b.maxRecordBytes, b.inputLimits, b.maxStepsPerEvent, b.stateTtl,
                b.checkOrder ? EventOrder.CHECKED : EventOrder.UNCHECKED);
        recovery = new RecoveryPart(b.checkpointInterval, b.checkpointDir, b.stateBackend, b.incrementalCheckpoints,
                b.retainCheckpoints, b.restorePath, b.claimRestore, b.restartAttempts, b.restartInitialBackoff,
                b.restartMaxBackoff);
    }

    public int parallelism() {
        return parallelism;
    }

    /**
     * Prefix of the operator uids (state is matched to operators by uid on restore): jobs built into
     * one environment, as in the demo, need different ones.
     */
    public String uidPrefix() {
        return uidPrefix;
    }

    public KafkaPart kafka() {
        return kafka;
    }

    public BatchingPart batching() {
        return batching;
    }

    public ModelPart model() {
        return model;
    }

    public LimitsPart limits() {
        return limits;
    }

    public RecoveryPart recovery() {
        return recovery;
    }

    /** Adds what {@code check} throws to {@code problems} (the operators' own configs check their parts). */
    protected static void collect(List<String> problems, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    /** Throws with every problem listed, naming the job. */
    protected static void throwIfAny(String job, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid " + job + " config: " + String.join("; ", problems));
        }
    }
}
