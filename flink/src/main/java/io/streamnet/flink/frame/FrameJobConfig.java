package io.streamnet.flink.frame;

import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.serving.event.EventOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the frame classification job reads, typed, with defaults that work against a local
 * broker (frames on {@code frames}, Avro), validated by {@link #validate()} before the job is built.
 */
public final class FrameJobConfig extends KafkaJobConfig {
    private static final long serialVersionUID = 1L;

    /** Most frames per batched CNN forward. */
    public int batchSize = 32;
    /** Longest a frame waits for its batch. */
    public long batchMillis = 20;
    /** With a model that has a smoother: also emit each frame's smoothed label (MANY_TO_MANY). */
    public boolean smooth = true;

    public FrameJobConfig() {
        super(PipelineTopics.FRAMES, "streamnet-frame-job", "streamnet-frames");
        maxRecordBytes = 4 << 20; // a frame is height x width x channels bytes
        uidPrefix = "frames-";
    }

    public FrameOperatorConfig operatorConfig() {
        return new FrameOperatorConfig(batchSize, batchMillis, smooth, stateTtl, maxModelBytes,
                checkOrder ? EventOrder.CHECKED : EventOrder.UNCHECKED, trustedUpdateKey);
    }

    /** Throws with every problem listed, so a bad config fails at start and says all that is wrong. */
    public FrameJobConfig validate() {
        List<String> problems = new ArrayList<>();
        validateCommon(problems);
        try {
            operatorConfig();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        throwIfAny("frame job", problems);
        return this;
    }
}
