package io.streamnet.flink.job;

import io.streamnet.flink.sink.KafkaSinks;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.flink.source.RawRecordDeserializer;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The plumbing every job shares: checkpointing, the raw input and model-update sources, the sinks. */
public final class KafkaJobs {
    private KafkaJobs() {
    }

    /**
     * Parallelism, exactly-once checkpointing to the configured file-system directory (retained on
     * cancellation when asked), the checkpoint or savepoint to restore from if any, and a bounded
     * restart strategy with exponential backoff (set explicitly: Flink's default with checkpointing
     * retries forever every second).
     */
    public static void configure(StreamExecutionEnvironment env, KafkaJobConfig c) {
        configure(env, c.parallelism(), c.recovery());
    }

    /** As {@link #configure(StreamExecutionEnvironment, KafkaJobConfig)}, from the recovery part alone. */
    public static void configure(StreamExecutionEnvironment env, int parallelism, RecoveryPart r) {
        env.setParallelism(parallelism);
        env.enableCheckpointing(r.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, r.stateBackend().flinkName);
        if (r.stateBackend() == StateBackend.ROCKSDB) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, r.incrementalCheckpoints());
        }
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, r.checkpointDir());
        // kept when the job is cancelled (Ctrl-C) as when its process dies: the next start resumes from it
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, r.retainCheckpoints()
                ? ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
                : ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        if (r.restorePath() != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, r.restorePath());
            conf.set(StateRecoveryOptions.RESTORE_MODE, r.claimRestore() ? RecoveryClaimMode.CLAIM : RecoveryClaimMode.NO_CLAIM);
        }
        if (r.restartAttempts() == 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // Flink's exponential delay needs >= 1 attempt
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, r.restartAttempts());
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, r.restartInitialBackoff());
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, r.restartMaxBackoff());
        }
        env.configure(conf);
    }

    /** The input topic's records, undecoded (decoding and its dead letters are the next stage). */
    public static DataStream<RawRecord> input(StreamExecutionEnvironment env, KafkaJobConfig c, String name) {
        KafkaPart k = c.kafka();
        return env.fromSource(source(k, c.model().maxModelBytes(), k.inputTopic(), k.groupId(),
                        k.fromEarliest() ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST),
                WatermarkStrategy.noWatermarks(), name + ": " + k.inputTopic()).uid(c.uidPrefix() + "events-source");
    }

    /**
     * The model-updates topic from its start (parallelism 1, to be broadcast), or, for a job that
     * does not follow updates, a stream that never carries one.
     */
    public static DataStream<RawRecord> modelUpdates(StreamExecutionEnvironment env, KafkaJobConfig c) {
        KafkaPart k = c.kafka();
        if (c.model().followUpdates()) {
            return env.fromSource(source(k, c.model().maxModelBytes(), k.modelUpdatesTopic(), k.groupId() + "-models",
                                    OffsetResetStrategy.EARLIEST),
                            WatermarkStrategy.noWatermarks(), "model updates: " + k.modelUpdatesTopic())
                    .uid(c.uidPrefix() + "model-updates-source").setParallelism(1);
        }
        // Flink's empty collection source fails at run time: one element, filtered out.
        return env.fromData(List.of(new RawRecord()), new RawRecordDeserializer().getProducedType())
                .uid(c.uidPrefix() + "no-model-updates").filter(new Nothing())
                .uid(c.uidPrefix() + "no-model-updates-filter");
    }

    /** Predictions keyed by their key, and dead letters, to their topics (transactional under EXACTLY_ONCE). */
    public static void sinks(KafkaJobConfig c, DataStream<Prediction> predictions, DataStream<DeadLetter> deadLetters) {
        KafkaPart k = c.kafka();
        predictions.sinkTo(KafkaSinks.of(k.bootstrapServers(), k.predictionsTopic(), Prediction.class, k.outputFormat(),
                        p -> p.getKey().toString(), k.delivery(), k.transactionalIdPrefix() + "-predictions",
                        k.transactionTimeout(), k.client()))
                .name("predictions: " + k.predictionsTopic()).uid(c.uidPrefix() + "predictions-sink");
        deadLetterSink(c, deadLetters);
    }

    /** Dead letters to their topic (transactional under EXACTLY_ONCE). */
    public static void deadLetterSink(KafkaJobConfig c, DataStream<DeadLetter> deadLetters) {
        KafkaPart k = c.kafka();
        deadLetters.sinkTo(KafkaSinks.of(k.bootstrapServers(), k.deadLetterTopic(), DeadLetter.class, k.outputFormat(),
                        null, k.delivery(), k.transactionalIdPrefix() + "-dead-letters", k.transactionTimeout(),
                        k.client()))
                .name("dead letters: " + k.deadLetterTopic()).uid(c.uidPrefix() + "dead-letters-sink");
    }

    private static KafkaSource<RawRecord> source(KafkaPart k, int maxModelBytes, String topic, String group,
                                                 OffsetResetStrategy reset) {
        var b = KafkaSource.<RawRecord>builder().setBootstrapServers(k.bootstrapServers()).setTopics(topic)
                .setGroupId(group).setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer())
                // Read only committed records: upstream transactional writers' aborted data is not input.
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", Integer.toString(Math.max(1 << 20, maxModelBytes)))
                .setProperty("partition.discovery.interval.ms", k.bounded() ? "-1" : "60000");
        k.client().asMap().forEach(b::setProperty); // the user's (security) settings win
        if (k.bounded()) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /** Drops everything: the model-update input of a job that does not follow updates. */
    static final class Nothing implements FilterFunction<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(RawRecord r) {
            return false;
        }
    }
}
