package io.streamnet.serving.reject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.streamnet.schemas.Frame;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.frame.FrameDecoder;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.DecodeException;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The size limits not in InputLimitsTest, each at its boundary: accepted at the limit, refused one above. */
class SizeLimitsBoundaryTest {
    private final InputLimits limits = new InputLimits(64, Instant.EPOCH, Instant.parse("2200-01-01T00:00:00Z"), 100,
            16, 4);

    private static RejectReason reason(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Rejected e) {
            return e.reason();
        }
    }

    private static Frame frame(int h, int w) {
        return Frame.newBuilder().setStreamId("cam").setFrameNo(0).setEventTime(Instant.EPOCH).setHeight(h).setWidth(w)
                .setChannels(1).setPixels(ByteBuffer.wrap(new byte[h * w])).build();
    }

    @Test
    void aFrameSideAtTheLimitIsAcceptedAndOnePixelMoreIsNot() {
        assertThatNoException().isThrownBy(() -> FrameDecoder.check(frame(4, 4), limits));
        assertThat(reason(() -> FrameDecoder.check(frame(5, 4), limits))).isEqualTo(RejectReason.BAD_DIMENSIONS);
        assertThat(reason(() -> FrameDecoder.check(frame(4, 5), limits))).isEqualTo(RejectReason.BAD_DIMENSIONS);
    }

    @Test
    void stepsPerEventAtTheLimitAreAcceptedAndOneMoreIsOversized() {
        ServedSequenceModel tokens = new ServedSequenceModel("m", 1, new byte[0],
                new io.streamnet.rnn.model.SequenceModel(io.streamnet.engine.cpu.CpuBackend.instance(),
                        io.streamnet.rnn.model.ModelConfig.tokens(io.streamnet.rnn.cell.CellType.GRU, 5, 2, 2, 1, 0f, 2,
                                io.streamnet.rnn.model.OutputType.MANY_TO_ONE), 1), null);
        assertThatNoException().isThrownBy(() -> SequenceInput.of(
                SequenceEvent.tokens("k", 0, new int[] {1, 2, 3}, true), tokens, 3));
        assertThat(reason(() -> SequenceInput.of(SequenceEvent.tokens("k", 0, new int[] {1, 2, 3, 4}, true), tokens, 3)))
                .isEqualTo(RejectReason.OVERSIZED);
    }

    @Test
    void aRecordOfTheByteLimitDecodesAndOneByteMoreIsOversized() {
        byte[] bytes = Codecs.of(TextEvent.class, WireFormat.AVRO).encode(TextEvent.newBuilder().setKey("k").setSeq(0)
                .setEventTime(Instant.EPOCH).setText("hello").setEndOfSequence(true).build());
        RecordCodec<TextEvent> exact = Codecs.of(TextEvent.class, WireFormat.AVRO, bytes.length);
        RecordCodec<TextEvent> tight = Codecs.of(TextEvent.class, WireFormat.AVRO, bytes.length - 1);

        assertThat(exact.decode(bytes).getText()).isEqualTo("hello");
        try {
            tight.decode(bytes);
            throw new AssertionError("decoded a record over the limit");
        } catch (DecodeException e) {
            assertThat(e.reason()).isEqualTo(RejectReason.OVERSIZED);
        }
    }
}
