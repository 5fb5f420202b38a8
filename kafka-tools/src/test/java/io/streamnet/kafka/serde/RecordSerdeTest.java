package io.streamnet.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.DecodeException;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The Kafka Serde over the serving core's codecs. */
class RecordSerdeTest {
    @Test
    void serdeKeepsTombstonesAndThrowsTypedErrorsForBadBytes() {
        RecordSerde<TextEvent> serde = new RecordSerde<>(Codecs.of(TextEvent.class, WireFormat.JSON));
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", "nope".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .cause().isInstanceOfSatisfying(DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    }
}
