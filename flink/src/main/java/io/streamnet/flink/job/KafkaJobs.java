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
        env.setParallelism(c.parallelism);
        env.enableCheckpointing(c.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, c.stateBackend.flinkName);
        if (c.stateBackend == KafkaJobConfig.StateBackend.ROCKSDB) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, c.incrementalCheckpoints);
        }
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, c.checkpointDir);
        // kept when the job is cancelled (Ctrl-C) as when its process dies: the next start resumes from it
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, c.retainCheckpoints
                ? ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
                : ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        if (c.restorePath != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, c.restorePath);
            conf.set(StateRecoveryOptions.RESTORE_MODE, c.claimRestore ? RecoveryClaimMode.CLAIM : RecoveryClaimMode.NO_CLAIM);
        }
        if (c.restartAttempts == 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // Flink's exponential delay needs >= 1 attempt
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, c.restartAttempts);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, c.restartInitialBackoff);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, c.restartMaxBackoff);
        }
        env.configure(conf);
    }

    /** The input topic's records, undecoded (decoding and its dead letters are the next stage). */
    public static DataStream<RawRecord> input(StreamExecutionEnvironment env, KafkaJobConfig c, String name) {
        return env.fromSource(source(c, c.inputTopic, c.groupId,
                        c.fromEarliest ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST),
                WatermarkStrategy.noWatermarks(), name + ": " + c.inputTopic).uid(c.uidPrefix + "events-source");
    }

    /**
     * The model-updates topic from its start (parallelism 1, to be broadcast), or, for a job that
     * does not follow updates, a stream that never carries one.
     */
    public static DataStream<RawRecord> modelUpdates(StreamExecutionEnvironment env, KafkaJobConfig c) {
        if (c.followModelUpdates) {
            return env.fromSource(source(c, c.modelUpdatesTopic, c.groupId + "-models", OffsetResetStrategy.EARLIEST),
                            WatermarkStrategy.noWatermarks(), "model updates: " + c.modelUpdatesTopic)
                    .uid(c.uidPrefix + "model-updates-source").setParallelism(1);
        }
        // Flink's empty collection source fails at run time: one element, filtered out.
        return env.fromData(List.of(new RawRecord()), new RawRecordDeserializer().getProducedType())
                .uid(c.uidPrefix + "no-model-updates").filter(new Nothing())
                .uid(c.uidPrefix + "no-model-updates-filter");
    }

    /** Predictions keyed by their key, and dead letters, to their topics (transactional under EXACTLY_ONCE). */
    public static void sinks(KafkaJobConfig c, DataStream<Prediction> predictions, DataStream<DeadLetter> deadLetters) {
        predictions.sinkTo(KafkaSinks.of(c.bootstrapServers, c.predictionsTopic, Prediction.class, c.outputFormat,
                        p -> p.getKey().toString(), c.delivery, c.transactionalIdPrefix + "-predictions",
                        c.transactionTimeout, c.kafka))
                .name("predictions: " + c.predictionsTopic).uid(c.uidPrefix + "predictions-sink");
        deadLetterSink(c, deadLetters);
    }

    /** Dead letters to their topic (transactional under EXACTLY_ONCE). */
    public static void deadLetterSink(KafkaJobConfig c, DataStream<DeadLetter> deadLetters) {
        deadLetters.sinkTo(KafkaSinks.of(c.bootstrapServers, c.deadLetterTopic, DeadLetter.class, c.outputFormat,
                        null, c.delivery, c.transactionalIdPrefix + "-dead-letters", c.transactionTimeout, c.kafka))
                .name("dead letters: " + c.deadLetterTopic).uid(c.uidPrefix + "dead-letters-sink");
    }

    private static KafkaSource<RawRecord> source(KafkaJobConfig c, String topic, String group,
                                                 OffsetResetStrategy reset) {
        var b = KafkaSource.<RawRecord>builder().setBootstrapServers(c.bootstrapServers).setTopics(topic)
                .setGroupId(group).setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer())
                // Read only committed records: upstream transactional writers' aborted data is not input.
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", Integer.toString(Math.max(1 << 20, c.maxModelBytes)))
                .setProperty("partition.discovery.interval.ms", c.bounded ? "-1" : "60000");
        c.kafka.asMap().forEach(b::setProperty); // the user's (security) settings win
        if (c.bounded) {
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
