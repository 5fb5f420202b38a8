package io.streamnet.flink.training;

import io.streamnet.flink.job.KafkaJobs;
import io.streamnet.flink.job.KafkaPart;
import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.sequence.DecodeEvents;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sink.KafkaSinks;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.wire.WireFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The online training job: KafkaSource of labelled TextEvents (StepEvents for a feature model) -> decode and validate (bad records
 * to the dead-letter topic) -> keyBy(key) -> the model's {@link TrainingOperators} (the model-updates topic
 * broadcast into it: it learns on the newest version) -> the {@link ModelOwnerOperator}
 * (parallelism 1) -> transactional KafkaSink to model-updates, where the inference jobs, the Kafka
 * Streams app and this job's own training operators pick each version up. The loop closes through
 * the topic (Flink 2 has no iteration API), so a version is trained on once its checkpoint commits.
 */
public final class SequenceTrainingJob {
    public static final String NAME = "streamnet online training";

    private SequenceTrainingJob() {
    }

    public static void build(StreamExecutionEnvironment env, TrainingJobConfig c, ServedSequenceModel initial) {
        boolean tokens = initial.model().config().tokenInput();
        if (!tokens && c.trainer().heldOutShare() > 0) {
            throw new IllegalArgumentException("invalid training job config: held-out scoring reads token sequences; "
                    + "train a feature model with a held-out share of 0");
        }
        KafkaJobs.configure(env, c);
        DataStream<RawRecord> raw = KafkaJobs.input(env, c, "labelled events");
        SingleOutputStreamOperator<SequenceEvent> decoded = raw
                .process(new DecodeEvents(tokens ? InputKind.TEXT : InputKind.STEP, c.kafka().inputFormat(),
                        c.limits().maxRecordBytes(), c.limits().input()))
                .name("decode + validate").uid(c.uidPrefix() + "decode");
        DataStream<RawRecord> models = KafkaJobs.modelUpdates(env, c);
        SingleOutputStreamOperator<TrainingMessage> trained = decoded.keyBy(new SequenceJob.EventKey())
                .connect(models.broadcast())
                .transform("online training (" + c.trainer().windowsPerGradient() + " sequences per gradient)",
                        TypeInformation.of(TrainingMessage.class),
                        TrainingOperators.of(initial, c.operatorConfig()))
                .uid(c.uidPrefix() + "train");
        SingleOutputStreamOperator<ModelUpdate> updates = trained.global()
                .transform("model owner", new AvroTypeInfo<>(ModelUpdate.class),
                        new ModelOwnerOperator(initial.checkpoint(), initial.modelId(), initial.version(),
                                c.ownerConfig()))
                .setParallelism(1).setMaxParallelism(1).uid(c.uidPrefix() + "model-owner");
        KafkaPart k = c.kafka();
        updates.sinkTo(KafkaSinks.of(k.bootstrapServers(), k.modelUpdatesTopic(), ModelUpdate.class, WireFormat.AVRO,
                        u -> ModelUpdates.key(u.getModelId().toString(), u.getVersion()), k.delivery(),
                        k.transactionalIdPrefix() + "-model-updates", k.transactionTimeout(), k.client()))
                .setParallelism(1).name("model updates: " + k.modelUpdatesTopic()).uid(c.uidPrefix() + "model-updates-sink");
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetterOutput.TAG)
                .union(trained.getSideOutput(DeadLetterOutput.TAG), updates.getSideOutput(DeadLetterOutput.TAG));
        KafkaJobs.deadLetterSink(c, deadLetters);
    }
}
