package io.streamnet.flink.sequence;

import io.streamnet.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.flink.util.OutputTag;

/** The dead-letter side output and how its records are made. */
public final class DeadLetters {
    /** Side output of every stage that rejects input; the job sends it to the dead-letter topic. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters",
            new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(DeadLetter.class)) {
    };

    /** Dead letters keep at most this much of a record, so an oversized record still fits the topic. */
    public static final int MAX_RAW_BYTES = 64 << 10;

    private DeadLetters() {
    }

    public static DeadLetter of(String topic, int partition, long offset, String reason, String detail, byte[] raw) {
        String why = detail == null ? "" : detail;
        if (raw != null && raw.length > MAX_RAW_BYTES) {
            why += " (raw truncated to " + MAX_RAW_BYTES + " of " + raw.length + " bytes)";
            raw = Arrays.copyOf(raw, MAX_RAW_BYTES);
        }
        return DeadLetter.newBuilder().setSourceTopic(topic == null ? "" : topic).setPartition(partition)
                .setOffset(offset).setReason(reason).setDetail(why)
                .setRaw(raw == null ? null : ByteBuffer.wrap(raw))
                .setTime(Instant.ofEpochMilli(System.currentTimeMillis())).build();
    }
}
