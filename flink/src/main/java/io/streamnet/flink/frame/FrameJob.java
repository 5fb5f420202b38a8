package io.streamnet.flink.frame;

import io.streamnet.flink.job.KafkaJobs;
import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.model.ServedFrameModel;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The frame classification job: KafkaSource (Frame, Avro or JSON) -> decode and validate (bad
 * frames to the dead-letter topic) -> keyBy(camera) -> {@link FrameOperator} (batched CNN
 * forward, per-camera smoother state; model updates broadcast into it) -> KafkaSink of predictions
 * (FRAME per frame, and MANY_TO_MANY smoothed labels when the model has a smoother).
 * Checkpointing is on; the sinks are transactional under EXACTLY_ONCE.
 */
public final class FrameJob {
    public static final String NAME = "streamnet frame classification";

    private FrameJob() {
    }

    /** Adds the job's pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, FrameJobConfig c, ServedFrameModel initial) {
        if (initial == null) {
            throw new IllegalArgumentException("the frame job needs a model to start with");
        }
        KafkaJobs.configure(env, c);
        DataStream<RawRecord> raw = KafkaJobs.input(env, c, "frames");
        SingleOutputStreamOperator<FrameEvent> decoded = raw
                .process(new DecodeFrames(c.kafka().inputFormat(), c.limits().maxRecordBytes(), c.limits().input()))
                .name("decode + validate frames").uid(c.uidPrefix() + "decode");
        SingleOutputStreamOperator<Prediction> scored = decoded.keyBy(new Camera())
                .connect(KafkaJobs.modelUpdates(env, c).broadcast())
                .transform("cnn (batch " + c.batching().size() + (c.smooth() && initial.hasSmoother() ? ", smoothed" : "") + ")",
                        new AvroTypeInfo<>(Prediction.class),
                        new FrameOperator(initial.checkpoint(), initial.modelId(), initial.version(),
                                c.operatorConfig()))
                .uid(c.uidPrefix() + "cnn");
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetterOutput.TAG)
                .union(scored.getSideOutput(DeadLetterOutput.TAG));
        KafkaJobs.sinks(c, scored, deadLetters);
    }

    /** The camera id: smoother state, order and predictions are per camera. */
    public static final class Camera implements KeySelector<FrameEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(FrameEvent e) {
            return e.camera;
        }
    }
}
