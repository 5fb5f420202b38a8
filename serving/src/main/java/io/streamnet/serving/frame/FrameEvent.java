package io.streamnet.serving.frame;

import io.streamnet.schemas.Frame;
import io.streamnet.serving.event.SourcedEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One decoded image frame of a camera: height x width x channels bytes, row-major, channels last
 * (the {@code Frame} wire layout), its label when known, and where it came from (for dead letters
 * and latency). Checked for internal consistency at decode; whether its shape fits the model is
 * {@link FrameDecoder#requireShape} against the model serving now. Public fields: a Flink POJO.
 */
public class FrameEvent extends SourcedEvent {
    public String camera;
    public long frameNo;
    public long eventTime;
    public int height;
    public int width;
    public int channels;
    public byte[] pixels;
    /** The frame's known class, or -1. */
    public int label = -1;

    public FrameEvent() {
    }

    public static FrameEvent of(String camera, long frameNo, int height, int width, int channels, byte[] pixels,
                                int label) {
        FrameEvent e = new FrameEvent();
        e.camera = camera;
        e.frameNo = frameNo;
        e.height = height;
        e.width = width;
        e.channels = channels;
        e.pixels = pixels;
        e.label = label;
        return e;
    }

    /** The frame in the JSON wire format: what a dead letter of a decoded frame carries. */
    public byte[] toJson() {
        return Codecs.of(Frame.class, WireFormat.JSON).encode(Frame.newBuilder().setStreamId(camera)
                .setFrameNo(frameNo).setEventTime(Instant.ofEpochMilli(eventTime)).setHeight(height).setWidth(width)
                .setChannels(channels).setPixels(ByteBuffer.wrap(pixels)).setLabel(label < 0 ? null : label).build());
    }

    @Override
    public String toString() {
        return camera + "#" + frameNo + " " + height + "x" + width + "x" + channels;
    }
}
