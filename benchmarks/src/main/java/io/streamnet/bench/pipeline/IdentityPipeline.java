package io.streamnet.bench.pipeline;

import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.sequence.SequenceEvent;
import java.time.Instant;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sequence job with no model: source, decode and validate, keyBy, sinks, and an unscored
 * prediction per event where the model would be. What the job costs before any model runs, the
 * floor the benchmarks measure the model pipelines against.
 */
public final class IdentityPipeline {
    private IdentityPipeline() {
    }

    /** Adds the identity pipeline to {@code env}: the sequence job's shape ({@link SequenceJob#buildWith}). */
    public static void build(StreamExecutionEnvironment env, SequenceJobConfig c) {
        SequenceJob.buildWith(env, c, keyed -> keyed.map(new Unscored()).name("identity").uid(c.uidPrefix() + "identity")
                .returns(new AvroTypeInfo<>(Prediction.class)));
    }

    /** The model's stand-in: a prediction with no scores, its latency measured as the model's would be. */
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
