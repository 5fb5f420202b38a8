package io.streamnet.flink.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Frame;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The frame decoder: good frames in Avro or JSON pass with their pixels; every kind of bad frame is a dead letter. */
class DecodeFramesTest {
    private static Frame.Builder frame(int h, int w, int c, int pixels) {
        return Frame.newBuilder().setStreamId("cam-1").setFrameNo(7).setEventTime(Instant.ofEpochMilli(1_000))
                .setHeight(h).setWidth(w).setChannels(c).setPixels(ByteBuffer.wrap(new byte[pixels])).setLabel(3);
    }

    private static RawRecord record(String key, byte[] value) {
        return new RawRecord("frames", 0, 11, 5_000, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private record Result(List<FrameEvent> frames, List<DeadLetter> dead) {
    }

    private static Result decode(WireFormat format, RawRecord... records) throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, FrameEvent> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new DecodeFrames(format, 1 << 20))) {
            for (RawRecord r : records) {
                h.processElement(r, 0);
            }
            List<DeadLetter> dead = new ArrayList<>();
            var q = h.getSideOutput(DeadLetterOutput.TAG);
            if (q != null) {
                q.forEach(r -> dead.add(r.getValue()));
            }
            return new Result(h.extractOutputValues(), dead);
        }
    }

    private static String reasonOf(Frame f) throws Exception {
        Result r = decode(WireFormat.AVRO, record("cam-1", Codecs.of(Frame.class, WireFormat.AVRO).encode(f)));
        assertThat(r.frames()).isEmpty();
        assertThat(r.dead()).hasSize(1);
        return r.dead().get(0).getReason().toString();
    }

    @Test
    void anAvroFrameDecodesWithItsPixelsLabelAndSource() throws Exception {
        byte[] px = new byte[2 * 3 * 1];
        px[4] = (byte) 200;
        Frame f = frame(2, 3, 1, 6).setPixels(ByteBuffer.wrap(px)).build();
        Result r = decode(WireFormat.AVRO, record("cam-1", Codecs.of(Frame.class, WireFormat.AVRO).encode(f)));
        assertThat(r.dead()).isEmpty();
        FrameEvent e = r.frames().get(0);
        assertThat(e.camera).isEqualTo("cam-1");
        assertThat(e.frameNo).isEqualTo(7);
        assertThat(e.pixels).containsExactly(px);
        assertThat(e.label).isEqualTo(3);
        assertThat(e.eventTime).isEqualTo(1_000);
        assertThat(e.ingestTime).isEqualTo(5_000);
        assertThat(e.sourceOffset).isEqualTo(11);
    }

    @Test
    void aJsonFrameWithBase64PixelsDecodes() throws Exception {
        String json = "{\"streamId\":\"cam-1\",\"frameNo\":2,\"eventTime\":5,\"height\":1,\"width\":2,\"channels\":1,"
                + "\"pixels\":\"AP8=\"}";
        Result r = decode(WireFormat.JSON, record("cam-1", json.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.dead()).isEmpty();
        assertThat(r.frames().get(0).pixels).containsExactly(0, (byte) 255);
        assertThat(r.frames().get(0).label).isEqualTo(-1);
    }

    @Test
    void pixelsThatDoNotFillTheFrameAreAPixelCountDeadLetter() throws Exception {
        assertThat(reasonOf(frame(28, 28, 1, 783).build())).isEqualTo("PIXEL_COUNT");
    }

    @Test
    void zeroOrHugeDimensionsAreBadDimensions() throws Exception {
        assertThat(reasonOf(frame(0, 28, 1, 0).build())).isEqualTo("BAD_DIMENSIONS");
        assertThat(reasonOf(frame(28, 28, 5, 28 * 28 * 5).build())).isEqualTo("BAD_DIMENSIONS");
        assertThat(reasonOf(frame(100_000, 100_000, 1, 16).build())).isEqualTo("BAD_DIMENSIONS");
    }

    @Test
    void anEmptyCameraIdANegativeFrameNumberAndANegativeLabelAreRefused() throws Exception {
        assertThat(reasonOf(frame(1, 1, 1, 1).setStreamId("").build())).isEqualTo("MISSING_KEY");
        assertThat(reasonOf(frame(1, 1, 1, 1).setFrameNo(-1).build())).isEqualTo("BAD_FRAME_NUMBER");
        assertThat(reasonOf(frame(1, 1, 1, 1).setLabel(-2).build())).isEqualTo("BAD_LABEL");
    }

    @Test
    void aKafkaKeyOtherThanTheCameraIsAKeyMismatch() throws Exception {
        byte[] raw = Codecs.of(Frame.class, WireFormat.AVRO).encode(frame(1, 1, 1, 1).build());
        Result r = decode(WireFormat.AVRO, record("cam-2", raw));
        assertThat(r.dead()).extracting(d -> d.getReason().toString()).containsExactly("KEY_MISMATCH");
    }

    @Test
    void bytesThatAreNoFrameAreUndecodableAndKeepTheirRawBytes() throws Exception {
        byte[] junk = "no frame here".getBytes(StandardCharsets.UTF_8);
        Result r = decode(WireFormat.AVRO, record(null, junk), record(null, new byte[0]));
        assertThat(r.frames()).isEmpty();
        assertThat(r.dead()).extracting(d -> d.getReason().toString()).containsExactly("UNDECODABLE", "EMPTY");
        assertThat(r.dead().get(0).getRaw().array()).containsExactly(junk);
    }
}
