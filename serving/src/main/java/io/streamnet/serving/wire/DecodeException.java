package io.streamnet.serving.wire;

import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;

/**
 * A record value that could not be decoded, with its reason and the raw bytes, so that callers
 * can route it to the dead-letter topic. Never replaced by a silent null. The message reads
 * {@code "REASON: detail"}.
 */
public class DecodeException extends Rejected {
    private static final long serialVersionUID = 1L;
    private final transient byte[] raw;

    public DecodeException(RejectReason reason, String message, byte[] raw, Throwable cause) {
        super(reason, reason + ": " + message, cause);
        this.raw = raw == null ? new byte[0] : raw.clone();
    }

    public byte[] raw() {
        return raw.clone();
    }
}
