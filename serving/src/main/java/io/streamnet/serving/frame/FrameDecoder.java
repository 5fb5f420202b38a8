package io.streamnet.serving.frame;

import io.streamnet.schemas.Frame;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;

/**
 * Decodes a {@code Frame} record (Avro or JSON) into a {@link FrameEvent} and refuses what no
 * model could read: undecodable or oversized bytes, an empty or too long camera id, an event time
 * out of range, a negative frame number, sides or channels out of range, a pixel count other than height x width x channels, a negative
 * label. Whether the shape fits the serving model is {@link #requireShape}.
 */
public final class FrameDecoder {
    public static final int MAX_CHANNELS = 4;

    private final RecordCodec<Frame> codec;
    private final InputLimits limits;

    public FrameDecoder(WireFormat format, int maxBytes) {
        this(format, maxBytes, InputLimits.DEFAULTS);
    }

    public FrameDecoder(WireFormat format, int maxBytes, InputLimits limits) {
        this.codec = Codecs.of(Frame.class, format, maxBytes);
        this.limits = limits;
    }

    /**
     * The frame of {@code raw}, or {@link Rejected} (a {@code DecodeException} for bytes that do not
     * decode). Nothing else escapes: any other failure on one record is UNDECODABLE.
     */
    public FrameEvent decode(byte[] raw) {
        try {
            return frame(raw);
        } catch (Rejected r) {
            throw r;
        } catch (RuntimeException e) {
            throw new Rejected(RejectReason.UNDECODABLE, "the record does not decode: " + e, e);
        }
    }

    private FrameEvent frame(byte[] raw) {
        Frame f = codec.decode(raw);
        check(f, limits);
        long eventTime = limits.eventTime(f.getEventTime());
        ByteBuffer px = f.getPixels();
        byte[] pixels = new byte[px.remaining()];
        px.duplicate().get(pixels);
        FrameEvent e = FrameEvent.of(f.getStreamId(), f.getFrameNo(), f.getHeight(), f.getWidth(), f.getChannels(),
                pixels, f.getLabel() == null ? -1 : f.getLabel());
        e.eventTime = eventTime;
        return e;
    }

    /** Refuses a frame that cannot be any model's input (sides within {@code limits}, sizes sized before copying). */
    public static void check(Frame f, InputLimits limits) {
        if (f.getStreamId() == null || f.getStreamId().isEmpty()) {
            throw new Rejected(RejectReason.MISSING_KEY, "frame has an empty camera id");
        }
        limits.checkKey(f.getStreamId());
        int maxSide = limits.maxFrameSide();
        if (f.getFrameNo() < 0) {
            throw new Rejected(RejectReason.BAD_FRAME_NUMBER, "frame number " + f.getFrameNo() + " is negative");
        }
        int h = f.getHeight();
        int w = f.getWidth();
        int c = f.getChannels();
        if (h < 1 || w < 1 || h > maxSide || w > maxSide || c < 1 || c > MAX_CHANNELS) {
            throw new Rejected(RejectReason.BAD_DIMENSIONS, h + "x" + w + "x" + c + " (sides 1.." + maxSide
                    + ", channels 1.." + MAX_CHANNELS + ")");
        }
        long expected = (long) h * w * c;
        int got = f.getPixels() == null ? 0 : f.getPixels().remaining();
        if (got != expected) {
            throw new Rejected(RejectReason.PIXEL_COUNT, got + " pixel bytes for " + h + "x" + w + "x" + c + " = "
                    + expected);
        }
        if (f.getLabel() != null && f.getLabel() < 0) {
            throw new Rejected(RejectReason.BAD_LABEL, "label " + f.getLabel() + " is negative");
        }
    }

    /** State is per camera: a Kafka record key other than the camera id would split a camera's frames. */
    public static void requireSameKey(String recordKey, String camera) {
        if (recordKey != null && !recordKey.equals(camera)) {
            throw new Rejected(RejectReason.KEY_MISMATCH, "record key " + recordKey + " differs from the camera id "
                    + camera);
        }
    }

    /** Refuses a frame whose height x width x channels is not what {@code m} reads (WRONG_SHAPE). */
    public static void requireShape(FrameEvent f, ServedFrameModel m) {
        if (f.height != m.height() || f.width != m.width() || f.channels != m.channels()) {
            throw new Rejected(RejectReason.WRONG_SHAPE, "frame " + f + " but model " + m + " reads " + m.height() + "x"
                    + m.width() + "x" + m.channels());
        }
    }
}
