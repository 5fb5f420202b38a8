package io.streamnet.kafka.streams;

import java.nio.ByteBuffer;

/**
 * What the Streams app keeps per open key besides its RNN state, 16 bytes in the key-meta store:
 * the seq of the last event stepped (for DUPLICATE/OUT_OF_ORDER) and the wall-clock time of the
 * last write (for the state TTL).
 */
record KeyMeta(long lastSeq, long writtenAt) {
    static final int BYTES = 16;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(lastSeq).putLong(writtenAt).array();
    }

    /** null for absent or unreadable bytes (a key then counts as new). */
    static KeyMeta decode(byte[] b) {
        if (b == null || b.length != BYTES) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new KeyMeta(buf.getLong(), buf.getLong());
    }
}
