package io.streamnet.kafka.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that could not be decoded, with a reason code and the raw bytes, so that callers
 * can route it to the dead-letter topic. Never replaced by a silent null.
 */
public class DecodeException extends SerializationException {
    /** Why decoding failed; the code goes into {@code DeadLetter.reason}. */
    public enum Reason {
        EMPTY,
        OVERSIZED,
        UNDECODABLE,
        TRAILING_BYTES,
        MALFORMED_JSON,
        MISSING_FIELD,
        WRONG_TYPE
    }

    private final Reason reason;
    private final transient byte[] raw;

    public DecodeException(Reason reason, String message, byte[] raw, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.raw = raw == null ? new byte[0] : raw.clone();
    }

    public Reason reason() {
        return reason;
    }

    public byte[] raw() {
        return raw.clone();
    }
}
