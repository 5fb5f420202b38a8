package io.streamnet.serving.sequence;

import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Avro text-events record of every poison class a producer can write, each with the reason its
 * dead letter must carry (null: a good record that sets up the next one, as the first of a
 * duplicate pair), for the end-to-end suites of every runtime. Token ids assume a vocabulary of 20.
 */
public final class PoisonRecords {
    /** A record as a producer sends it: its Kafka key, value and the reason it must be refused for. */
    public record Poison(String key, byte[] value, String reason) {
    }

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final RecordCodec<TextEvent> AVRO = Codecs.of(TextEvent.class, WireFormat.AVRO);

    private PoisonRecords() {
    }

    public static TextEvent text(String key, long seq, String text, boolean end) {
        return TextEvent.newBuilder().setKey(key).setSeq(seq).setEventTime(T).setText(text).setEndOfSequence(end)
                .build();
    }

    public static byte[] avro(TextEvent e) {
        return AVRO.encode(e);
    }

    public static List<Poison> text() {
        List<Poison> p = new ArrayList<>();
        p.add(new Poison("junk", "not avro at all".getBytes(StandardCharsets.UTF_8), "UNDECODABLE"));
        p.add(new Poison("empty", new byte[0], "EMPTY"));
        // A key string claiming 2^40 bytes in a 7-byte record.
        p.add(new Poison("bomb", new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40, 0},
                "UNDECODABLE"));
        byte[] good = avro(text("trail", 0, "abc", true));
        p.add(new Poison("trail", Arrays.copyOf(good, good.length + 3), "TRAILING_BYTES"));
        p.add(new Poison("future", avro(TextEvent.newBuilder(text("future", 0, "abc", true))
                .setEventTime(Instant.ofEpochMilli(Long.MAX_VALUE)).build()), "BAD_EVENT_TIME"));
        String hugeKey = "k".repeat(300_000); // with its copy in the payload, under a topic's default 1 MB
        p.add(new Poison(hugeKey, avro(text(hugeKey, 0, "abc", true)), "KEY_TOO_LONG"));
        p.add(new Poison("longtext", avro(text("longtext", 0, "a".repeat(200_000), true)), "OVERSIZED"));
        p.add(new Poison("blank", avro(text("blank", 0, "   ", false)), "EMPTY_TEXT"));
        p.add(new Poison("other", avro(text("mismatch", 0, "abc", true)), "KEY_MISMATCH"));
        p.add(new Poison("token", avro(TextEvent.newBuilder(text("token", 0, null, true)).setTokenIds(List.of(3, 99))
                .build()), "BAD_TOKEN"));
        p.add(new Poison("lonely", avro(text("lonely", 0, "", true)), "NO_OPEN_SEQUENCE"));
        p.add(new Poison("dup", avro(text("dup", 0, "ab", false)), null));
        p.add(new Poison("dup", avro(text("dup", 0, "ab", false)), "DUPLICATE"));
        p.add(new Poison("late", avro(text("late", 5, "ab", false)), null));
        p.add(new Poison("late", avro(text("late", 4, "ab", false)), "OUT_OF_ORDER"));
        return p;
    }
}
