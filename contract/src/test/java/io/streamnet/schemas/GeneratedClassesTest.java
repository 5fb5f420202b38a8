package io.streamnet.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The generated classes encode and decode as Avro binary without loss. */
class GeneratedClassesTest {
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> T roundTrip(T record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<T>(record.getSchema()).write(record, enc);
        enc.flush();
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
        return (T) new SpecificDatumReader<T>(record.getSchema()).read(null, dec);
    }

    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_123L);

    @Test
    void textEventRoundTrips() throws IOException {
        TextEvent e = TextEvent.newBuilder().setKey("conv-1").setSeq(3).setEventTime(T0).setText("great phone")
                .setLabel(1).setEndOfSequence(true).build();
        assertThat(roundTrip(e)).isEqualTo(e);
        assertThat(e.getTokenIds()).isNull();
        assertThat(e.getLanguage()).isNull();
    }

    @Test
    void stepEventFrameAndPredictionRoundTrip() throws IOException {
        StepEvent s = StepEvent.newBuilder().setKey("k").setStep(7).setEventTime(T0).setFeatures(List.of(0.5f, -1f)).build();
        assertThat(roundTrip(s)).isEqualTo(s);
        Frame f = Frame.newBuilder().setStreamId("cam-2").setFrameNo(9).setEventTime(T0).setHeight(28).setWidth(28)
                .setChannels(1).setPixels(ByteBuffer.wrap(new byte[784])).setLabel(4).build();
        assertThat(roundTrip(f)).isEqualTo(f);
        Prediction p = Prediction.newBuilder().setKey("conv-1").setKind(PredictionKind.MANY_TO_ONE).setStep(3)
                .setProbabilities(List.of(0.2f, 0.8f)).setLabel(1).setModelId("sentiment-gru").setModelVersion(2)
                .setEventTime(T0).setLatencyMs(4).build();
        assertThat(roundTrip(p)).isEqualTo(p);
        assertThat(p.getValues()).isEmpty();
    }

    @Test
    void modelUpdateAndDeadLetterRoundTrip() throws IOException {
        ModelUpdate u = ModelUpdate.newBuilder().setModelId("m").setVersion(5).setArchitecture("{}")
                .setWeights(ByteBuffer.wrap(new byte[] {1, 2, 3})).setChecksum("ab").setMetrics(Map.of("loss", 0.5))
                .setCreatedAt(T0).build();
        assertThat(roundTrip(u)).isEqualTo(u);
        DeadLetter d = DeadLetter.newBuilder().setSourceTopic("text-events").setPartition(1).setOffset(42)
                .setReason("UNDECODABLE").setRaw(ByteBuffer.wrap(new byte[] {(byte) 0xff})).setTime(T0).build();
        assertThat(roundTrip(d)).isEqualTo(d);
        assertThat(d.getDetail()).isEmpty();
    }
}
