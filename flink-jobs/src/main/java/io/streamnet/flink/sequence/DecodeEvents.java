package io.streamnet.flink.sequence;

import io.streamnet.flink.source.RawRecord;
import io.streamnet.kafka.serde.Codecs;
import io.streamnet.kafka.serde.DecodeException;
import io.streamnet.kafka.serde.RecordCodec;
import io.streamnet.kafka.serde.WireFormat;
import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage after the source: decodes each record (Avro or JSON) into a
 * {@link SequenceEvent} and rejects what no model could use (undecodable, oversized, empty, a
 * payload key that differs from the Kafka key, non-finite features) to the dead-letter side
 * output with the reason and the raw bytes. Checks that depend on the model (vocabulary, width)
 * run in the RNN operator, which knows the model currently serving.
 */
public final class DecodeEvents extends ProcessFunction<RawRecord, SequenceEvent> {
    private static final long serialVersionUID = 1L;

    private final InputKind kind;
    private final WireFormat format;
    private final int maxBytes;
    private transient RecordCodec<TextEvent> textCodec;
    private transient RecordCodec<StepEvent> stepCodec;
    private transient Counter rejected;

    public DecodeEvents(InputKind kind, WireFormat format, int maxBytes) {
        this.kind = kind;
        this.format = format;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext context) {
        textCodec = Codecs.of(TextEvent.class, format, maxBytes);
        stepCodec = Codecs.of(StepEvent.class, format, maxBytes);
        rejected = getRuntimeContext().getMetricGroup().counter("deadLettersDecode");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<SequenceEvent> out) {
        SequenceEvent e;
        try {
            e = kind == InputKind.TEXT ? text(r.value) : step(r.value);
        } catch (DecodeException ex) {
            reject(ctx, r, ex.reason().name(), ex.getMessage());
            return;
        } catch (Rejected ex) {
            reject(ctx, r, ex.reason, ex.getMessage());
            return;
        }
        // State is partitioned by key: a Kafka key that differs from the payload's would split a sequence.
        if (r.key != null && !new String(r.key, StandardCharsets.UTF_8).equals(e.key)) {
            reject(ctx, r, "KEY_MISMATCH", "record key " + new String(r.key, StandardCharsets.UTF_8)
                    + " differs from the event key " + e.key);
            return;
        }
        e.ingestTime = r.timestamp;
        e.sourceTopic = r.topic;
        e.sourcePartition = r.partition;
        e.sourceOffset = r.offset;
        out.collect(e);
    }

    private SequenceEvent text(byte[] raw) {
        TextEvent t = textCodec.decode(raw);
        requireKey(t.getKey());
        SequenceEvent e = new SequenceEvent();
        e.key = t.getKey();
        e.seq = t.getSeq();
        e.eventTime = t.getEventTime().toEpochMilli();
        e.end = t.getEndOfSequence();
        e.label = t.getLabel() == null ? -1 : t.getLabel();
        List<Integer> ids = t.getTokenIds();
        if (ids != null && !ids.isEmpty()) {
            e.tokenIds = ids.stream().mapToInt(Integer::intValue).toArray();
        } else if (t.getText() != null && !t.getText().isBlank()) {
            e.text = t.getText();
        } else if (!e.end) {
            // An end marker may be empty (it closes the sequence); any other event must say something.
            throw new Rejected("EMPTY_TEXT", "event of key " + e.key + " has no text, no token ids and no end marker");
        }
        return e;
    }

    private SequenceEvent step(byte[] raw) {
        StepEvent s = stepCodec.decode(raw);
        requireKey(s.getKey());
        float[] f = new float[s.getFeatures().size()];
        if (f.length == 0) {
            throw new Rejected("WRONG_DIMENSION", "step event of key " + s.getKey() + " has no features");
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = s.getFeatures().get(i);
            if (!Float.isFinite(f[i])) {
                throw new Rejected("NON_FINITE", "feature " + i + " is " + f[i]);
            }
        }
        SequenceEvent e = SequenceEvent.features(s.getKey(), s.getStep(), f, s.getEndOfSequence());
        e.eventTime = s.getEventTime().toEpochMilli();
        e.label = s.getLabel() == null ? -1 : s.getLabel();
        return e;
    }

    private static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new Rejected("MISSING_KEY", "event has an empty key");
        }
    }

    private void reject(Context ctx, RawRecord r, String reason, String detail) {
        rejected.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(r.topic, r.partition, r.offset, reason, detail, r.value));
    }

    /** A decoded record that cannot be used, with its dead-letter reason code. */
    static final class Rejected extends RuntimeException {
        final String reason;

        Rejected(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
