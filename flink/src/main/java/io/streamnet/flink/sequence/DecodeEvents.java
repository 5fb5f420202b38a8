package io.streamnet.flink.sequence;

import io.streamnet.flink.job.DecodeStage;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.SequenceDecoder;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.wire.WireFormat;

/**
 * The sequence job's decode stage: the serving core's {@link SequenceDecoder}. Checks that depend
 * on the model (vocabulary, width) run in the sequence operator, which knows the model serving now.
 */
public final class DecodeEvents extends DecodeStage<SequenceEvent> {
    private static final long serialVersionUID = 1L;

    private final InputKind kind;
    private final WireFormat format;
    private final int maxBytes;
    private final InputLimits limits;
    private transient SequenceDecoder decoder;

    public DecodeEvents(InputKind kind, WireFormat format, int maxBytes) {
        this(kind, format, maxBytes, InputLimits.DEFAULTS);
    }

    public DecodeEvents(InputKind kind, WireFormat format, int maxBytes, InputLimits limits) {
        this.kind = kind;
        this.format = format;
        this.maxBytes = maxBytes;
        this.limits = limits;
    }

    @Override
    protected void openDecoder() {
        decoder = new SequenceDecoder(kind, format, maxBytes, limits);
    }

    @Override
    protected SequenceEvent decode(String recordKey, byte[] value) {
        SequenceEvent e = decoder.decode(value);
        SequenceDecoder.requireSameKey(recordKey, e.key, false); // keyBy re-keys by the payload's key
        return e;
    }
}
