package io.streamnet.flink.frame;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import java.util.List;

/**
 * The frame classification job's settings: the parts every job has ({@link KafkaJobConfig}), with
 * defaults that work against a local broker (frames on {@code frames}, Avro, batches of 32, frames
 * up to 4 MiB), and whether smoothed labels are emitted. Validated once in {@code build()}.
 */
public final class FrameJobConfig extends KafkaJobConfig {
    private static final long serialVersionUID = 2L;

    private final boolean smooth;

    private FrameJobConfig(Builder b) {
        super(b);
        smooth = b.smooth;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings, to build one that differs in a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** With a model that has a smoother: also emit each frame's smoothed label (MANY_TO_MANY). */
    public boolean smooth() {
        return smooth;
    }

    /** The frame operator's part: batching, smoothing, limits and model trust. */
    public FrameOperatorConfig operatorConfig() {
        return new FrameOperatorConfig(batching().size(), batching().maxWaitMillis(), smooth, limits().stateTtl(),
                model().maxModelBytes(), limits().order(), model().trustedUpdateKey());
    }

    public static final class Builder extends KafkaJobConfigBuilder<FrameJobConfig, Builder> {
        private boolean smooth = true;

        private Builder() {
            super(PipelineTopics.FRAMES, "streamnet-frame-job", "streamnet-frames", 32);
            maxRecordBytes(4 << 20); // a frame is height x width x channels bytes
            uidPrefix("frames-");
        }

        private Builder(FrameJobConfig c) {
            super(c);
            smooth = c.smooth;
        }

        @Override
        protected Builder self() {
            return this;
        }

        public Builder smooth(boolean emitSmoothed) {
            smooth = emitSmoothed;
            return this;
        }

        @Override
        public FrameJobConfig build() {
            List<String> problems = commonProblems();
            FrameJobConfig c = new FrameJobConfig(this);
            collect(problems, c::operatorConfig);
            throwIfAny("frame job", problems);
            return c;
        }
    }
}
