package io.streamnet.serving.reject;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The limits every input record is held to before anything is sized from it, each a setting with a
 * safe default. A key longer than {@code maxKeyBytes} would make its predictions and dead letters
 * too big for their topics; an event time outside the range overflows millisecond arithmetic; a
 * text or feature vector above its limit would be tokenized or copied before the model's own
 * checks could refuse it.
 *
 * @param maxKeyBytes  longest sequence key or camera id, in UTF-8 bytes
 * @param minEventTime earliest event time accepted
 * @param maxEventTime latest event time accepted
 * @param maxTextChars longest text of one event
 * @param maxFeatures  most features in one step
 * @param maxFrameSide largest frame height or width
 */
public record InputLimits(int maxKeyBytes, Instant minEventTime, Instant maxEventTime, int maxTextChars,
                          int maxFeatures, int maxFrameSide) implements Serializable {
    /** 1 KiB keys, event times 1970..2200, 100k characters of text, 65,536 features, frame sides to 8192. */
    public static final InputLimits DEFAULTS = new InputLimits(1024, Instant.EPOCH,
            Instant.parse("2200-01-01T00:00:00Z"), 100_000, 65_536, 8192);

    public InputLimits {
        if (maxKeyBytes < 1 || maxTextChars < 1 || maxFeatures < 1 || maxFrameSide < 1) {
            throw new IllegalArgumentException("input limits must be positive: keys " + maxKeyBytes + " bytes, text "
                    + maxTextChars + " chars, " + maxFeatures + " features, frame sides " + maxFrameSide);
        }
        if (minEventTime == null || maxEventTime == null || !minEventTime.isBefore(maxEventTime)) {
            throw new IllegalArgumentException("the event-time range must be non-empty, got " + minEventTime + " .. "
                    + maxEventTime);
        }
    }

    /** @throws Rejected KEY_TOO_LONG */
    public void checkKey(String key) {
        // a char is 1..3 UTF-8 bytes (a surrogate pair 4 for two chars): count only when it can matter
        if (key.length() > maxKeyBytes || (3L * key.length() > maxKeyBytes
                && key.getBytes(StandardCharsets.UTF_8).length > maxKeyBytes)) {
            throw new Rejected(RejectReason.KEY_TOO_LONG, "a key of " + key.length() + " characters, limit "
                    + maxKeyBytes + " UTF-8 bytes");
        }
    }

    /** The event time in epoch milliseconds. @throws Rejected BAD_EVENT_TIME outside the range */
    public long eventTime(Instant t) {
        if (t.isBefore(minEventTime) || t.isAfter(maxEventTime)) {
            throw new Rejected(RejectReason.BAD_EVENT_TIME, "event time " + t + " outside " + minEventTime + " .. "
                    + maxEventTime);
        }
        return t.toEpochMilli();
    }

    /** @throws Rejected OVERSIZED for a text of more than {@code maxTextChars} */
    public void checkText(String text) {
        if (text.length() > maxTextChars) {
            throw new Rejected(RejectReason.OVERSIZED, "a text of " + text.length() + " characters, limit "
                    + maxTextChars);
        }
    }

    /** @throws Rejected OVERSIZED for more than {@code maxFeatures} in one step */
    public void checkFeatures(int n) {
        if (n > maxFeatures) {
            throw new Rejected(RejectReason.OVERSIZED, n + " features in one step, limit " + maxFeatures);
        }
    }
}
