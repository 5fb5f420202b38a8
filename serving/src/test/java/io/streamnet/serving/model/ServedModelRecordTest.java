package io.streamnet.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The served model as both runtimes keep it: the entries savepoints and changelogs already hold. */
class ServedModelRecordTest {
    private final byte[] checkpoint = {1, 2, 3, 4};
    private final byte[] signature = new byte[64];
    private final Map<String, byte[]> store = new HashMap<>();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theEntriesAreTheBytesFlinkAndKafkaStreamsWroteBefore() {
        new ServedModelRecord(checkpoint, "sentiment-gru", 12, signature).writeTo(store::put);

        assertThat(store).containsOnlyKeys("checkpoint", "id", "version", "signature");
        assertThat(store.get("checkpoint")).isEqualTo(checkpoint);
        assertThat(store.get("id")).isEqualTo(utf8("sentiment-gru"));
        assertThat(store.get("version")).isEqualTo(utf8("12"));
        assertThat(store.get("signature")).isEqualTo(signature);
    }

    @Test
    void anUnsignedModelKeepsAnEmptySignature() {
        new ServedModelRecord(checkpoint, "m", 1, null).writeTo(store::put);

        assertThat(store.get("signature")).isEmpty();
    }

    @Test
    void aRecordReadsBackAsItWasWritten() {
        new ServedModelRecord(checkpoint, "m", 9_007_199_254_740_991L, signature).writeTo(store::put);
        ServedModelRecord r = ServedModelRecord.readFrom(store::get);

        assertThat(r.checkpoint()).isEqualTo(checkpoint);
        assertThat(r.modelId()).isEqualTo("m");
        assertThat(r.version()).isEqualTo(9_007_199_254_740_991L);
        assertThat(r.signature()).isEqualTo(signature);
    }

    @Test
    void nothingStoredIsNoRecord() {
        assertThat(ServedModelRecord.readFrom(store::get)).isNull();
    }

    @Test
    void stateWrittenBeforeSignaturesWereKeptReadsAsUnsigned() {
        store.put("checkpoint", checkpoint);
        store.put("id", utf8("m"));
        store.put("version", utf8("3"));

        assertThat(ServedModelRecord.readFrom(store::get).signature()).isNull();
    }

    @Test
    void anUnreadableVersionOrAnIdOverTheUpdateLimitIsRefusedWhenRead() {
        new ServedModelRecord(checkpoint, "m", 1, null).writeTo(store::put);
        store.put("version", utf8("one"));
        assertThatThrownBy(() -> ServedModelRecord.readFrom(store::get)).isInstanceOf(IllegalArgumentException.class);

        store.put("version", utf8("1"));
        store.put("id", new byte[UpdateHeader.MAX_MODEL_ID_BYTES + 1]);
        assertThatThrownBy(() -> ServedModelRecord.readFrom(store::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");

        store.put("id", utf8("m"));
        store.put("version", new byte[1 << 20]);
        assertThatThrownBy(() -> ServedModelRecord.readFrom(store::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
    }

    @Test
    void aRecordThatDoesNotReadIsNotServedAndNothingIsThrown() {
        new ServedModelRecord(checkpoint, "m", 1, null).writeTo(store::put);
        store.remove("version");
        ModelSlot<ServedSequenceModel> slot = new ModelSlot<>(
                new io.streamnet.serving.sequence.SequenceModelKind(io.streamnet.serving.sequence.OutputMode.MANY_TO_ONE),
                ModelUpdates.DEFAULT_MAX_BYTES);

        assertThat(ServedModelRecord.restore(slot, store::get)).isNull();
    }
}
