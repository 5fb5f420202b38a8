package io.streamnet.serving.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.reject.RejectReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** A few bytes that declare a huge string or array are refused before Avro allocates what they claim. */
class AvroLengthBombTest {
    /** key, step, eventTime, then an array header claiming {@code items} floats, and one float. */
    private static byte[] stepEventClaiming(long items) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeString("k");
        e.writeLong(0);
        e.writeLong(0);
        e.writeLong(items); // an array block: its item count
        e.writeFloat(1f);
        e.flush();
        return out.toByteArray();
    }

    @Test
    void anArrayClaimingABillionFloatsInAFewBytesIsUndecodable() throws IOException {
        byte[] bomb = stepEventClaiming(1L << 30);
        assertThat(bomb.length).isLessThan(16);
        assertThatThrownBy(() -> Codecs.of(StepEvent.class, WireFormat.AVRO).decode(bomb))
                .isInstanceOfSatisfying(DecodeException.class,
                        d -> assertThat(d.reason()).isEqualTo(RejectReason.UNDECODABLE))
                .hasMessageContaining("declared lengths");
    }

    @Test
    void aStringClaimingAGigabyteInAFewBytesIsUndecodable() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeLong(1L << 30); // the key's length
        e.writeFixed(new byte[] {'k', 'e', 'y'});
        e.flush();
        assertThatThrownBy(() -> Codecs.of(TextEvent.class, WireFormat.AVRO).decode(out.toByteArray()))
                .isInstanceOfSatisfying(DecodeException.class,
                        d -> assertThat(d.reason()).isEqualTo(RejectReason.UNDECODABLE));
    }

    @Test
    void declaredLengthsThatTheBytesHoldStillDecode() {
        var codec = Codecs.of(StepEvent.class, WireFormat.AVRO);
        StepEvent s = StepEvent.newBuilder().setKey("k").setStep(3).setEventTime(Instant.ofEpochMilli(5))
                .setFeatures(List.of(1f, 2f, 3f)).build();
        assertThat(codec.decode(codec.encode(s))).isEqualTo(s);
    }
}
