package io.streamnet.flink.model;

/** A model update that must not be served, with a machine-readable reason for its dead letter. */
public final class ModelRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public ModelRejectedException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** e.g. UNDECODABLE, CHECKSUM, CHECKPOINT_SHAPE_MISMATCH, WRONG_MODEL_ID, STALE_VERSION, INCOMPATIBLE. */
    public String reason() {
        return reason;
    }
}
