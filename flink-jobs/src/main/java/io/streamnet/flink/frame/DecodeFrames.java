package io.streamnet.flink.frame;

import io.streamnet.flink.sequence.DeadLetters;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.kafka.serde.Codecs;
import io.streamnet.kafka.serde.DecodeException;
import io.streamnet.kafka.serde.RecordCodec;
import io.streamnet.kafka.serde.WireFormat;
import io.streamnet.schemas.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage of the frame job: decodes each record (Avro or JSON {@code Frame}) and rejects
 * what no model could read to the dead-letter side output, with the reason and the raw bytes:
 * undecodable or oversized records, an empty camera id, a Kafka key other than the camera id,
 * a negative frame number, non-positive dimensions, or a pixel count other than
 * height x width x channels (PIXEL_COUNT). Whether the shape fits the serving model is the CNN
 * operator's check (WRONG_SHAPE).
 */
public final class DecodeFrames extends ProcessFunction<RawRecord, FrameEvent> {
    private static final long serialVersionUID = 1L;
    /** Largest side a frame may claim; keeps height x width x channels far from int overflow. */
    static final int MAX_SIDE = 8192;
    static final int MAX_CHANNELS = 4;

    private final WireFormat format;
    private final int maxBytes;
    private transient RecordCodec<Frame> codec;
    private transient Counter rejected;

    public DecodeFrames(WireFormat format, int maxBytes) {
        this.format = format;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext context) {
        codec = Codecs.of(Frame.class, format, maxBytes);
        rejected = getRuntimeContext().getMetricGroup().counter("deadLettersDecode");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<FrameEvent> out) {
        Frame f;
        try {
            f = codec.decode(r.value);
        } catch (DecodeException ex) {
            reject(ctx, r, ex.reason().name(), ex.getMessage());
            return;
        }
        String camera = f.getStreamId();
        String why = problem(f);
        if (why != null) {
            reject(ctx, r, why.substring(0, why.indexOf(':')), why.substring(why.indexOf(':') + 2));
            return;
        }
        // State is per camera: a Kafka key other than the camera id would split a camera's frames.
        if (r.key != null && !new String(r.key, StandardCharsets.UTF_8).equals(camera)) {
            reject(ctx, r, "KEY_MISMATCH", "record key " + new String(r.key, StandardCharsets.UTF_8)
                    + " differs from the camera id " + camera);
            return;
        }
        ByteBuffer px = f.getPixels();
        byte[] pixels = new byte[px.remaining()];
        px.duplicate().get(pixels);
        FrameEvent e = FrameEvent.of(camera, f.getFrameNo(), f.getHeight(), f.getWidth(), f.getChannels(), pixels,
                f.getLabel() == null ? -1 : f.getLabel());
        e.eventTime = f.getEventTime().toEpochMilli();
        e.ingestTime = r.timestamp;
        e.sourceTopic = r.topic;
        e.sourcePartition = r.partition;
        e.sourceOffset = r.offset;
        out.collect(e);
    }

    /** "REASON: detail" for a frame that cannot be any model's input, or null. */
    static String problem(Frame f) {
        if (f.getStreamId() == null || f.getStreamId().isEmpty()) {
            return "MISSING_KEY: frame has an empty camera id";
        }
        if (f.getFrameNo() < 0) {
            return "BAD_FRAME_NUMBER: frame number " + f.getFrameNo() + " is negative";
        }
        int h = f.getHeight();
        int w = f.getWidth();
        int c = f.getChannels();
        if (h < 1 || w < 1 || h > MAX_SIDE || w > MAX_SIDE || c < 1 || c > MAX_CHANNELS) {
            return "BAD_DIMENSIONS: " + h + "x" + w + "x" + c + " (sides 1.." + MAX_SIDE + ", channels 1.."
                    + MAX_CHANNELS + ")";
        }
        long expected = (long) h * w * c;
        int got = f.getPixels() == null ? 0 : f.getPixels().remaining();
        if (got != expected) {
            return "PIXEL_COUNT: " + got + " pixel bytes for " + h + "x" + w + "x" + c + " = " + expected;
        }
        if (f.getLabel() != null && f.getLabel() < 0) {
            return "BAD_LABEL: label " + f.getLabel() + " is negative";
        }
        return null;
    }

    private void reject(Context ctx, RawRecord r, String reason, String detail) {
        rejected.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(r.topic, r.partition, r.offset, reason, detail, r.value));
    }
}
