package io.streamnet.serving.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Records that used to stop a job for good are refused with a reason instead. */
class SequenceDecoderTest {
    private final SequenceDecoder json = new SequenceDecoder(InputKind.TEXT, WireFormat.JSON, 1 << 20);

    private RejectReason reason(String value) {
        try {
            json.decode(value.getBytes(StandardCharsets.UTF_8));
        } catch (Rejected e) {
            return e.reason();
        }
        return null;
    }

    @Test
    void anEventTimeFarInTheFutureIsABadEventTime() {
        assertThat(reason("{\"key\":\"k\",\"seq\":0,\"eventTime\":\"+999999999-01-01T00:00:00Z\",\"text\":\"hi\"}"))
                .isEqualTo(RejectReason.BAD_EVENT_TIME);
    }

    @Test
    void aHugeKeyIsTooLongBeforeItReachesAPrediction() {
        String key = "k".repeat(600_000);
        assertThat(reason("{\"key\":\"" + key + "\",\"seq\":0,\"eventTime\":0,\"text\":\"hi\",\"endOfSequence\":true}"))
                .isEqualTo(RejectReason.KEY_TOO_LONG);
    }

    @Test
    void aGoodEventDecodes() {
        assertThat(reason("{\"key\":\"k\",\"seq\":0,\"eventTime\":\"2026-11-27T10:00:00Z\",\"text\":\"hi\"}")).isNull();
    }
}
