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
    /** A detail quotes the input (keys, texts): at most this many characters of it are kept. */
    public static final int MAX_DETAIL_CHARS = 2048;

    private DeadLetters() {
    }

    public static DeadLetter of(String topic, int partition, long offset, Rejected why, byte[] raw) {
        return of(topic, partition, offset, why.reason(), why.detail(), raw);
    }

    public static DeadLetter of(String topic, int partition, long offset, RejectReason reason, String detail,
                                byte[] raw) {
        String why = detail == null ? "" : detail;
        if (why.length() > MAX_DETAIL_CHARS) {
            why = why.substring(0, MAX_DETAIL_CHARS) + "... (" + why.length() + " characters)";
        }
        if (raw != null && raw.length > MAX_RAW_BYTES) {
            why += " (raw truncated to " + MAX_RAW_BYTES + " of " + raw.length + " bytes)";
            raw = Arrays.copyOf(raw, MAX_RAW_BYTES);
        }
        return DeadLetter.newBuilder().setSourceTopic(topic == null ? "" : topic).setPartition(partition)
                .setOffset(offset).setReason(reason.name()).setDetail(why)
                .setRaw(raw == null ? null : ByteBuffer.wrap(raw))
                .setTime(Instant.ofEpochMilli(System.currentTimeMillis())).build();
    }

    /** A record key for a dead letter: the input's own when it is short, else its first characters (it only helps find the input). */
    public static String key(String key) {
        return key == null || key.length() <= 256 ? key : key.substring(0, 256);
    }
}
