package io.streamnet.serving.sequence;

import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded event written back as JSON for a dead letter: the operator no longer holds the bytes
 * that arrived (the decode stage does, and dead-letters those it rejects itself), so a rejection
 * that depends on the model carries the event in the JSON wire format, readable with kcat.
 */
public final class EventJson {
    private EventJson() {
    }

    public static byte[] of(SequenceEvent e) {
        Instant t = Instant.ofEpochMilli(e.eventTime);
        Integer label = e.label < 0 ? null : e.label;
        if (e.features != null) {
            List<Float> f = new ArrayList<>(e.features.length);
            for (float v : e.features) {
                f.add(v);
            }
            return Codecs.of(StepEvent.class, WireFormat.JSON).encode(StepEvent.newBuilder().setKey(e.key)
                    .setStep(e.seq).setEventTime(t).setFeatures(f).setLabel(label).setEndOfSequence(e.end).build());
        }
        List<Integer> ids = null;
        if (e.tokenIds != null) {
            ids = new ArrayList<>(e.tokenIds.length);
            for (int id : e.tokenIds) {
                ids.add(id);
            }
        }
        return Codecs.of(TextEvent.class, WireFormat.JSON).encode(TextEvent.newBuilder().setKey(e.key).setSeq(e.seq)
                .setEventTime(t).setText(e.text).setTokenIds(ids).setLabel(label).setEndOfSequence(e.end).build());
    }
}
