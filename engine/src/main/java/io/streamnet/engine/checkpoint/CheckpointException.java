package io.streamnet.engine.checkpoint;

import java.io.IOException;

/**
 * A checkpoint that cannot be written or loaded. The {@link Reason} says which rule it broke, so a
 * caller (e.g. an operator receiving a {@code ModelUpdate}) can react per kind; the message says
 * where and by how much, in words.
 */
public final class CheckpointException extends IOException {
    /** Why a checkpoint was rejected. */
    public enum Reason {
        BAD_MAGIC,
        UNSUPPORTED_VERSION,
        TRUNCATED,
        TRAILING_DATA,
        CHECKSUM_MISMATCH,
        SHAPE_MISMATCH,
        NON_FINITE_WEIGHTS,
        HEADER_TOO_LARGE,
        TOO_LARGE,
        MALFORMED_HEADER
    }

    private final Reason reason;

    public CheckpointException(Reason reason, String message) {
        this(reason, message, null);
    }

    public CheckpointException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
