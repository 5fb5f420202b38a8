package io.streamnet.serving.wire;

import io.streamnet.serving.reject.RejectReason;

/** Checks shared by every codec before any parsing. */
final class Limits {
    /** Default ceiling for one record value: far above a 227x227x3 frame, far below a broker's limit. */
    static final int DEFAULT_MAX_BYTES = 1 << 20;

    private Limits() {
    }

    static void check(byte[] bytes, int maxBytes, String type) {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException(RejectReason.EMPTY, "empty value where a " + type + " was expected",
                    bytes, null);
        }
        if (bytes.length > maxBytes) {
            throw new DecodeException(RejectReason.OVERSIZED, type + " of " + bytes.length
                    + " bytes exceeds the limit of " + maxBytes, bytes, null);
        }
    }
}
