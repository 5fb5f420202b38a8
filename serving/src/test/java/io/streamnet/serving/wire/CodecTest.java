package io.streamnet.serving.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.reject.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {
    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_123L);

    static Stream<Arguments> records() {
        List<SpecificRecord> all = List.of(
                TextEvent.newBuilder().setKey("c1").setSeq(0).setEventTime(T0).setText("great phone").setLabel(1)
                        .setEndOfSequence(true).build(),
                TextEvent.newBuilder().setKey("c2").setSeq(4).setEventTime(T0).setTokenIds(List.of(5, 9, 2)).build(),
                StepEvent.newBuilder().setKey("s").setStep(3).setEventTime(T0).setFeatures(List.of(0.25f, -1.5f)).build(),
                Frame.newBuilder().setStreamId("cam-1").setFrameNo(7).setEventTime(T0).setHeight(2).setWidth(2)
                        .setChannels(1).setPixels(ByteBuffer.wrap(new byte[] {0, 127, (byte) 200, 255 - 256})).build(),
                Prediction.newBuilder().setKey("c1").setKind(PredictionKind.ROLLING).setStep(2)
                        .setProbabilities(List.of(0.25f, 0.75f)).setLabel(1).setModelId("m").setModelVersion(3)
                        .setEventTime(T0).setLatencyMs(12).setTrueLabel(1).build(),
                ModelUpdate.newBuilder().setModelId("m").setVersion(3).setArchitecture("{\"type\":\"x\"}")
                        .setWeights(ByteBuffer.wrap(new byte[] {9, 8, 7})).setChecksum("00ff")
                        .setMetrics(Map.of("accuracy", 0.81)).setCreatedAt(T0).build(),
                DeadLetter.newBuilder().setSourceTopic("t").setPartition(0).setOffset(5).setReason("UNDECODABLE")
                        .setDetail("x").setRaw(ByteBuffer.wrap(new byte[] {1})).setTime(T0).build());
        return all.stream().flatMap(r -> Stream.of(Arguments.of(r, WireFormat.AVRO), Arguments.of(r, WireFormat.JSON)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("records")
    void everyRecordTypeRoundTripsInBothFormats(SpecificRecord record, WireFormat format) {
        RecordCodec codec = Codecs.of(record.getClass(), format);
        assertThat(codec.decode(codec.encode(record))).isEqualTo(record);
    }

    @Test
    void handWrittenJsonAsKcatWouldSendItDecodes() {
        String json = "{\"key\":\"conv-7\",\"seq\":0,\"eventTime\":\"2026-11-27T00:00:00Z\",\"text\":\"Loved it!\","
                + "\"endOfSequence\":true,\"someFutureField\":42}";
        TextEvent e = Codecs.of(TextEvent.class, WireFormat.JSON).decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(e.getKey()).isEqualTo("conv-7");
        assertThat(e.getEventTime()).isEqualTo(Instant.parse("2026-11-27T00:00:00Z"));
        assertThat(e.getLabel()).isNull();
        assertThat(e.getEndOfSequence()).isTrue();
    }

    @Test
    void jsonMissingARequiredFieldNamesIt() {
        byte[] raw = "{\"key\":\"k\",\"eventTime\":1}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Codecs.of(StepEvent.class, WireFormat.JSON).decode(raw))
                .isInstanceOfSatisfying(DecodeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.MISSING_FIELD);
                    assertThat(e.raw()).isEqualTo(raw);
                })
                .hasMessageContaining("'step'");
    }

    @Test
    void jsonWithAWrongTypeNamesFieldAndExpectation() {
        byte[] raw = "{\"key\":\"k\",\"step\":1,\"eventTime\":1,\"features\":[0.5,\"x\"]}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Codecs.of(StepEvent.class, WireFormat.JSON).decode(raw))
                .isInstanceOfSatisfying(DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.WRONG_TYPE))
                .hasMessageContaining("features[1]").hasMessageContaining("number");
    }

    @Test
    void malformedJsonIsReportedWithItsBytes() {
        byte[] raw = "{\"key\": ".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Codecs.of(TextEvent.class, WireFormat.JSON).decode(raw))
                .isInstanceOfSatisfying(DecodeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED_JSON);
                    assertThat(e.raw()).isEqualTo(raw);
                });
    }

    @Test
    void undecodableBytesAreRefusedNotNulled() {
        byte[] raw = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> Codecs.of(TextEvent.class, WireFormat.AVRO).decode(raw))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.raw()).isEqualTo(raw));
    }

    @Test
    void validAvroOfAnotherSchemaIsRefused() {
        Frame f = Frame.newBuilder().setStreamId("cam").setFrameNo(1).setEventTime(T0).setHeight(28).setWidth(28)
                .setChannels(1).setPixels(ByteBuffer.wrap(new byte[784])).build();
        byte[] raw = Codecs.of(Frame.class, WireFormat.AVRO).encode(f);
        assertThatThrownBy(() -> Codecs.of(StepEvent.class, WireFormat.AVRO).decode(raw))
                .isInstanceOf(DecodeException.class);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void oversizedValuesAreRefusedBeforeParsing(WireFormat format) {
        byte[] raw = new byte[2048];
        assertThatThrownBy(() -> Codecs.of(Frame.class, format, 1024).decode(raw))
                .isInstanceOfSatisfying(DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.OVERSIZED))
                .hasMessageContaining("2048");
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void emptyValuesAreRefused(WireFormat format) {
        assertThatThrownBy(() -> Codecs.of(TextEvent.class, format).decode(new byte[0]))
                .isInstanceOfSatisfying(DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.EMPTY));
    }
}
