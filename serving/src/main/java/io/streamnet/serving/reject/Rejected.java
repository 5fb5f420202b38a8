package io.streamnet.serving.reject;

/**
 * A record that cannot be used, with its reason and a human-readable detail (the message). Thrown
 * by decoders and input checks and caught by the runtime that turns it into a dead letter; no stack
 * trace is filled in, because a rejection is an expected outcome on a hot path, not a bug.
 */
public class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public Rejected(RejectReason reason, String detail) {
        this(reason, detail, null);
    }

    public Rejected(RejectReason reason, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    /** What is wrong, for the dead letter's {@code detail}. */
    public String detail() {
        return getMessage();
    }
}
