package io.streamnet.serving.event;

import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import java.io.Serializable;

/**
 * Per key, events must come in increasing {@code seq} (frame number for cameras): one not above
 * the last one stepped would advance the key's state a second time, so it is refused instead
 * (DUPLICATE when equal, OUT_OF_ORDER when below). A producer that retries without idempotence, or
 * a replay, then cannot corrupt a sequence. The runtime keeps the last number per key, with the
 * key's state, and forgets it when the sequence closes (a key may start over at 0). Off, nothing
 * is checked or kept.
 */
public record EventOrder(boolean enabled) implements Serializable {
    public static final EventOrder CHECKED = new EventOrder(true);
    public static final EventOrder UNCHECKED = new EventOrder(false);

    /**
     * @param last the last number stepped for {@code key}, or null when its sequence is new
     * @throws Rejected DUPLICATE or OUT_OF_ORDER
     */
    public void check(String key, Long last, long next) {
        if (!enabled || last == null || next > last) {
            return;
        }
        throw new Rejected(next == last ? RejectReason.DUPLICATE : RejectReason.OUT_OF_ORDER,
                "key " + key + ": number " + next + (next == last ? " was already stepped" : " is below " + last
                        + ", the last one stepped"));
    }
}
