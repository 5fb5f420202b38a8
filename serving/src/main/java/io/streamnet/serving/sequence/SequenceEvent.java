package io.streamnet.serving.sequence;

import io.streamnet.serving.event.SourcedEvent;

/**
 * One decoded input event of a keyed sequence: text or token ids (TextEvent) or a feature vector
 * (StepEvent), with its label and end-of-sequence flag, and where it came from (for dead letters
 * and latency). Model-independent: tokenizing text and checking widths against the model happen in
 * {@link SequenceInput}, against the model serving now. A public class with public fields, so
 * Flink serializes it as a POJO (not Kryo).
 */
public class SequenceEvent extends SourcedEvent {
    public String key;
    public long seq;
    public long eventTime;
    public String text;
    public int[] tokenIds;
    public float[] features;
    /** The sequence's (or step's) known class, or -1. */
    public int label = -1;
    public boolean end;

    public SequenceEvent() {
    }

    public static SequenceEvent text(String key, long seq, String text, boolean end) {
        SequenceEvent e = new SequenceEvent();
        e.key = key;
        e.seq = seq;
        e.text = text;
        e.end = end;
        return e;
    }

    public static SequenceEvent tokens(String key, long seq, int[] ids, boolean end) {
        SequenceEvent e = new SequenceEvent();
        e.key = key;
        e.seq = seq;
        e.tokenIds = ids;
        e.end = end;
        return e;
    }

    public static SequenceEvent features(String key, long seq, float[] features, boolean end) {
        SequenceEvent e = new SequenceEvent();
        e.key = key;
        e.seq = seq;
        e.features = features;
        e.end = end;
        return e;
    }

    public SequenceEvent withLabel(int label) {
        this.label = label;
        return this;
    }

    public SequenceEvent withTimes(long eventTime, long ingestTime) {
        this.eventTime = eventTime;
        this.ingestTime = ingestTime;
        return this;
    }

    public String key() {
        return key;
    }

    /** Whether the event carries input steps (an end marker may carry none). */
    public boolean hasSteps() {
        return features != null || (tokenIds != null && tokenIds.length > 0) || (text != null && !text.isBlank());
    }

    @Override
    public String toString() {
        return "SequenceEvent{key=" + key + ", seq=" + seq + ", end=" + end + "}";
    }
}
