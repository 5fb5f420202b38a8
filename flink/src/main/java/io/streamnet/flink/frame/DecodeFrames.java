package io.streamnet.flink.frame;

import io.streamnet.flink.job.DecodeStage;
import io.streamnet.serving.frame.FrameDecoder;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.wire.WireFormat;

/**
 * The frame job's decode stage: the serving core's {@link FrameDecoder}. Whether the shape fits
 * the serving model is the frame operator's check (WRONG_SHAPE).
 */
public final class DecodeFrames extends DecodeStage<FrameEvent> {
    private static final long serialVersionUID = 1L;

    private final WireFormat format;
    private final int maxBytes;
    private final InputLimits limits;
    private transient FrameDecoder decoder;

    public DecodeFrames(WireFormat format, int maxBytes) {
        this(format, maxBytes, InputLimits.DEFAULTS);
    }

    public DecodeFrames(WireFormat format, int maxBytes, InputLimits limits) {
        this.format = format;
        this.maxBytes = maxBytes;
        this.limits = limits;
    }

    @Override
    protected void openDecoder() {
        decoder = new FrameDecoder(format, maxBytes, limits);
    }

    @Override
    protected FrameEvent decode(String recordKey, byte[] value) {
        FrameEvent e = decoder.decode(value);
        FrameDecoder.requireSameKey(recordKey, e.camera);
        return e;
    }
}
