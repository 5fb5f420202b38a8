package io.streamnet.flink.sequence;

import io.streamnet.flink.serving.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.SequenceDecoder;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage after the source: the serving core's {@link SequenceDecoder} on each record;
 * what it refuses goes to the dead-letter side output with the reason and the raw bytes. Checks
 * that depend on the model (vocabulary, width) run in the sequence operator, which knows the
 * model serving now.
 */
public final class DecodeEvents extends ProcessFunction<RawRecord, SequenceEvent> {
    private static final long serialVersionUID = 1L;

    private final InputKind kind;
    private final WireFormat format;
    private final int maxBytes;
    private transient SequenceDecoder decoder;
    private transient Counter rejected;

    public DecodeEvents(InputKind kind, WireFormat format, int maxBytes) {
        this.kind = kind;
        this.format = format;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext context) {
        decoder = new SequenceDecoder(kind, format, maxBytes);
        rejected = getRuntimeContext().getMetricGroup().counter("deadLettersDecode");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<SequenceEvent> out) {
        SequenceEvent e;
        try {
            e = decoder.decode(r.value);
            // keyBy re-keys by the payload's key: a record without a Kafka key is fine here
            SequenceDecoder.requireSameKey(r.key == null ? null : new String(r.key, StandardCharsets.UTF_8), e.key,
                    false);
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
