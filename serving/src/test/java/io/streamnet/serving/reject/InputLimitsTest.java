package io.streamnet.serving.reject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Each input limit at its boundary: accepted at the limit, refused above it. */
class InputLimitsTest {
    private final InputLimits limits = new InputLimits(8, Instant.ofEpochMilli(0), Instant.ofEpochMilli(1000), 5, 3,
            16);

    private static RejectReason reason(Runnable r) {
        try {
            r.run();
        } catch (Rejected e) {
            return e.reason();
        }
        return null;
    }

    @Test
    void aKeyOfTheLimitInUtf8BytesIsAcceptedAndOneByteMoreIsNot() {
        assertThatNoException().isThrownBy(() -> limits.checkKey("abcdefgh"));
        assertThat(reason(() -> limits.checkKey("abcdefghi"))).isEqualTo(RejectReason.KEY_TOO_LONG);
        assertThatNoException().isThrownBy(() -> limits.checkKey("éééé")); // 4 chars, 8 bytes
        assertThat(reason(() -> limits.checkKey("éééé" + "a"))).isEqualTo(RejectReason.KEY_TOO_LONG);
    }

    @Test
    void eventTimesAtTheEndsOfTheRangeAreAcceptedAndOutsideAreNot() {
        assertThat(limits.eventTime(Instant.ofEpochMilli(0))).isZero();
        assertThat(limits.eventTime(Instant.ofEpochMilli(1000))).isEqualTo(1000);
        assertThat(reason(() -> limits.eventTime(Instant.ofEpochMilli(1001)))).isEqualTo(RejectReason.BAD_EVENT_TIME);
        assertThat(reason(() -> limits.eventTime(Instant.ofEpochMilli(-1)))).isEqualTo(RejectReason.BAD_EVENT_TIME);
        // an instant whose milliseconds overflow a long is refused, not thrown as ArithmeticException
        assertThat(reason(() -> InputLimits.DEFAULTS.eventTime(Instant.parse("+999999999-01-01T00:00:00Z"))))
                .isEqualTo(RejectReason.BAD_EVENT_TIME);
    }

    @Test
    void textsAndFeatureCountsAtTheLimitAreAcceptedAndAboveAreOversized() {
        assertThatNoException().isThrownBy(() -> limits.checkText("12345"));
        assertThat(reason(() -> limits.checkText("123456"))).isEqualTo(RejectReason.OVERSIZED);
        assertThatNoException().isThrownBy(() -> limits.checkFeatures(3));
        assertThat(reason(() -> limits.checkFeatures(4))).isEqualTo(RejectReason.OVERSIZED);
    }

    @Test
    void anEmptyTimeRangeOrANonPositiveLimitIsRefusedAtStart() {
        assertThatThrownBy(() -> new InputLimits(8, Instant.EPOCH, Instant.EPOCH, 5, 3, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InputLimits(0, Instant.EPOCH, Instant.MAX, 5, 3, 16))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
