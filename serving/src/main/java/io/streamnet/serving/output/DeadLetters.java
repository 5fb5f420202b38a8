package io.streamnet.serving.output;

import io.streamnet.schemas.DeadLetter;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/** How dead-letter records are made, in every runtime: the reason, the detail and the (truncated) raw bytes. */
public final class DeadLetters {
    /** Dead letters keep at most this much of a record, so an oversized record still fits the topic. */
    public static final int MAX_RAW_BYTES = 64 << 10;

    private DeadLetters() {
    }

    public static DeadLetter of(String topic, int partition, long offset, Rejected why, byte[] raw) {
        return of(topic, partition, offset, why.reason(), why.detail(), raw);
    }

    public static DeadLetter of(String topic, int partition, long offset, RejectReason reason, String detail,
                                byte[] raw) {
        String why = detail == null ? "" : detail;
        if (raw != null && raw.length > MAX_RAW_BYTES) {
            why += " (raw truncated to " + MAX_RAW_BYTES + " of " + raw.length + " bytes)";
            raw = Arrays.copyOf(raw, MAX_RAW_BYTES);
        }
        return DeadLetter.newBuilder().setSourceTopic(topic == null ? "" : topic).setPartition(partition)
                .setOffset(offset).setReason(reason.name()).setDetail(why)
                .setRaw(raw == null ? null : ByteBuffer.wrap(raw))
                .setTime(Instant.ofEpochMilli(System.currentTimeMillis())).build();
    }
}
