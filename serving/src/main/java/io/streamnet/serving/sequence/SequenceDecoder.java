package io.streamnet.serving.sequence;

import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.util.List;

/**
 * Decodes an input record (TextEvent or StepEvent, Avro or JSON) into a {@link SequenceEvent} and
 * refuses what no model could use: undecodable or oversized bytes, an empty key, what breaks the
 * {@link InputLimits} (key length, event-time range, text length, feature count), an event with no
 * text, no token ids and no end marker, a step without features, non-finite features. Checks that
 * depend on the model (vocabulary, width) are {@link SequenceInput}'s.
 */
public final class SequenceDecoder {
    private final InputKind kind;
    private final RecordCodec<TextEvent> textCodec;
    private final RecordCodec<StepEvent> stepCodec;
    private final InputLimits limits;

    public SequenceDecoder(InputKind kind, WireFormat format, int maxBytes) {
        this(kind, format, maxBytes, InputLimits.DEFAULTS);
    }

    public SequenceDecoder(InputKind kind, WireFormat format, int maxBytes, InputLimits limits) {
        this.kind = kind;
        this.textCodec = Codecs.of(TextEvent.class, format, maxBytes);
        this.stepCodec = Codecs.of(StepEvent.class, format, maxBytes);
        this.limits = limits;
    }

    /**
     * The event of {@code raw}, or {@link Rejected} (a {@code DecodeException} for bytes that do not
     * decode). Nothing else escapes: any other failure on one record is UNDECODABLE.
     */
    public SequenceEvent decode(byte[] raw) {
        try {
            return kind == InputKind.TEXT ? text(raw) : step(raw);
        } catch (Rejected r) {
            throw r;
        } catch (RuntimeException e) {
            throw new Rejected(RejectReason.UNDECODABLE, "the record does not decode: " + e, e);
        }
    }

    /**
     * State is partitioned by key: a Kafka record key other than the event's key would split a
     * sequence. A record without a key is fine where the runtime re-keys by the payload (Flink's
     * keyBy), not where the record key places the state (Kafka Streams).
     */
    public static void requireSameKey(String recordKey, String eventKey, boolean recordKeyRequired) {
        if (recordKey == null ? recordKeyRequired : !recordKey.equals(eventKey)) {
            throw new Rejected(RejectReason.KEY_MISMATCH, "record key " + recordKey + " differs from the event key "
                    + eventKey);
        }
    }

    private SequenceEvent text(byte[] raw) {
        TextEvent t = textCodec.decode(raw);
        requireKey(t.getKey());
        SequenceEvent e = new SequenceEvent();
        e.key = t.getKey();
        e.seq = t.getSeq();
        e.eventTime = limits.eventTime(t.getEventTime());
        e.end = t.getEndOfSequence();
        e.label = t.getLabel() == null ? -1 : t.getLabel();
        List<Integer> ids = t.getTokenIds();
        if (ids != null && !ids.isEmpty()) {
            e.tokenIds = ids.stream().mapToInt(Integer::intValue).toArray();
        } else if (t.getText() != null && !t.getText().isBlank()) {
            limits.checkText(t.getText());
            e.text = t.getText();
        } else if (!e.end) {
            // An end marker may be empty (it closes the sequence); any other event must say something.
            throw new Rejected(RejectReason.EMPTY_TEXT, "event of key " + e.key
                    + " has no text, no token ids and no end marker");
        }
        return e;
    }

    private SequenceEvent step(byte[] raw) {
        StepEvent s = stepCodec.decode(raw);
        requireKey(s.getKey());
        limits.checkFeatures(s.getFeatures().size());
        float[] f = new float[s.getFeatures().size()];
        if (f.length == 0) {
            throw new Rejected(RejectReason.WRONG_DIMENSION, "step event of key " + s.getKey() + " has no features");
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = s.getFeatures().get(i);
            if (!Float.isFinite(f[i])) {
                throw new Rejected(RejectReason.NON_FINITE, "feature " + i + " is " + f[i]);
            }
        }
        SequenceEvent e = SequenceEvent.features(s.getKey(), s.getStep(), f, s.getEndOfSequence());
        e.eventTime = limits.eventTime(s.getEventTime());
        e.label = s.getLabel() == null ? -1 : s.getLabel();
        return e;
    }

    private void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new Rejected(RejectReason.MISSING_KEY, "event has an empty key");
        }
        limits.checkKey(key);
    }
}
