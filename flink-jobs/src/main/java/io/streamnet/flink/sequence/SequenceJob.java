package io.streamnet.flink.sequence;

import io.streamnet.flink.model.ServingModel;
import io.streamnet.flink.rnn.RnnBundleOperator;
import io.streamnet.flink.sink.KafkaSinks;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.flink.source.RawRecordDeserializer;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The sequence inference job: KafkaSource (TextEvent or StepEvent, Avro or JSON) -> decode and
 * validate (bad records to the dead-letter topic) -> keyBy(key) -> {@link RnnBundleOperator}
 * (model updates from the model-updates topic broadcast into it) -> KafkaSink of predictions.
 * Checkpointing is on; the sinks are transactional under EXACTLY_ONCE.
 */
public final class SequenceJob {
    public static final String NAME = "streamnet sequence inference";

    private SequenceJob() {
    }

    /** Adds the job's pipeline to {@code env}. {@code initial} may be null only for the identity pipeline. */
    public static void build(StreamExecutionEnvironment env, SequenceJobConfig c, ServingModel initial) {
        c.validate();
        if (initial == null && !c.identity) {
            throw new IllegalArgumentException("the sequence job needs a model to start with");
        }
        env.setParallelism(c.parallelism);
        env.enableCheckpointing(c.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        Configuration storage = new Configuration();
        storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, c.checkpointDir);
        env.configure(storage);

        DataStream<RawRecord> raw = env.fromSource(source(c, c.inputTopic, c.groupId,
                        c.fromEarliest ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST),
                WatermarkStrategy.noWatermarks(), "events: " + c.inputTopic).uid("events-source");
        SingleOutputStreamOperator<SequenceEvent> decoded = raw
                .process(new DecodeEvents(c.inputKind, c.inputFormat, c.maxRecordBytes))
                .name("decode + validate").uid("decode");

        DataStream<Prediction> predictions;
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetters.TAG);
        if (c.identity) {
            predictions = decoded.keyBy(new EventKey()).map(new Unscored()).name("identity").uid("identity")
                    .returns(new AvroTypeInfo<>(Prediction.class));
        } else {
            DataStream<RawRecord> models = c.followModelUpdates
                    ? env.fromSource(source(c, c.modelUpdatesTopic, c.groupId + "-models", OffsetResetStrategy.EARLIEST),
                    WatermarkStrategy.noWatermarks(), "model updates: " + c.modelUpdatesTopic)
                    .uid("model-updates-source").setParallelism(1)
                    // An input that never carries an update (Flink's empty collection source fails at run time).
                    : env.fromData(List.of(new RawRecord()), new RawRecordDeserializer().getProducedType())
                    .uid("no-model-updates").filter(new Nothing()).uid("no-model-updates-filter");
            SingleOutputStreamOperator<Prediction> scored = decoded.keyBy(new EventKey()).connect(models.broadcast())
                    .transform("rnn " + c.mode.name().toLowerCase() + " (bundle " + c.bundleSize + ")",
                            new AvroTypeInfo<>(Prediction.class),
                            new RnnBundleOperator(initial.checkpoint(), initial.modelId(), initial.version(),
                                    c.operatorConfig()))
                    .uid("rnn");
            predictions = scored;
            deadLetters = deadLetters.union(scored.getSideOutput(DeadLetters.TAG));
        }
        predictions.sinkTo(KafkaSinks.of(c.bootstrapServers, c.predictionsTopic, Prediction.class, c.outputFormat,
                        p -> p.getKey().toString(), c.delivery, c.transactionalIdPrefix + "-predictions",
                        c.transactionTimeout))
                .name("predictions: " + c.predictionsTopic).uid("predictions-sink");
        deadLetters.sinkTo(KafkaSinks.of(c.bootstrapServers, c.deadLetterTopic, DeadLetter.class, c.outputFormat,
                        null, c.delivery, c.transactionalIdPrefix + "-dead-letters", c.transactionTimeout))
                .name("dead letters: " + c.deadLetterTopic).uid("dead-letters-sink");
    }

    private static KafkaSource<RawRecord> source(SequenceJobConfig c, String topic, String group,
                                                 OffsetResetStrategy reset) {
        var b = KafkaSource.<RawRecord>builder().setBootstrapServers(c.bootstrapServers).setTopics(topic)
                .setGroupId(group).setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer())
                // Read only committed records: upstream transactional writers' aborted data is not input.
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", Integer.toString(Math.max(1 << 20, c.maxModelBytes)))
                .setProperty("partition.discovery.interval.ms", c.bounded ? "-1" : "60000");
        if (c.bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /** The sequence key: state, order and bundles are per key. */
    public static final class EventKey implements KeySelector<SequenceEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(SequenceEvent e) {
            return e.key;
        }
    }

    /** Drops everything: the model-update input of a job that does not follow updates. */
    static final class Nothing implements org.apache.flink.api.common.functions.FilterFunction<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(RawRecord r) {
            return false;
        }
    }

    /** The identity pipeline's stand-in for the model: a prediction with no scores. */
    static final class Unscored implements MapFunction<SequenceEvent, Prediction> {
        private static final long serialVersionUID = 1L;

        @Override
        public Prediction map(SequenceEvent e) {
            return Prediction.newBuilder().setKey(e.key).setKind(PredictionKind.UNKNOWN).setStep(e.seq).setLabel(-1)
                    .setModelId("identity").setModelVersion(0).setEventTime(Instant.ofEpochMilli(e.eventTime))
                    .setLatencyMs(Math.max(0, System.currentTimeMillis() - e.ingestTime))
                    .setTrueLabel(e.label < 0 ? null : e.label).build();
        }
    }
}
