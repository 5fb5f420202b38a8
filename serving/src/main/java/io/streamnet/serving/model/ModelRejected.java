package io.streamnet.serving.model;

import io.streamnet.serving.reject.RejectReason;

/** A model update that must not be served, with the reason for its dead letter. */
public final class ModelRejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public ModelRejected(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
