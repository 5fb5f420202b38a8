package io.streamnet.flink.frame;

import io.streamnet.flink.serving.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.serving.frame.FrameDecoder;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage of the frame job: the serving core's {@link FrameDecoder} on each record; what
 * it refuses goes to the dead-letter side output with the reason and the raw bytes. Whether the
 * shape fits the serving model is the frame operator's check (WRONG_SHAPE).
 */
public final class DecodeFrames extends ProcessFunction<RawRecord, FrameEvent> {
    private static final long serialVersionUID = 1L;

    private final WireFormat format;
    private final int maxBytes;
    private transient FrameDecoder decoder;
    private transient Counter rejected;

    public DecodeFrames(WireFormat format, int maxBytes) {
        this.format = format;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext context) {
        decoder = new FrameDecoder(format, maxBytes);
        rejected = getRuntimeContext().getMetricGroup().counter("deadLettersDecode");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<FrameEvent> out) {
        FrameEvent e;
        try {
            e = decoder.decode(r.value);
            FrameDecoder.requireSameKey(r.key == null ? null : new String(r.key, StandardCharsets.UTF_8), e.camera);
        } catch (Rejected why) {
            rejected.inc();
            ctx.output(DeadLetterOutput.TAG, DeadLetters.of(r.topic, r.partition, r.offset, why, r.value));
            return;
        }
        e.ingestTime = r.timestamp;
        e.sourceTopic = r.topic;
        e.sourcePartition = r.partition;
        e.sourceOffset = r.offset;
        out.collect(e);
    }
}
