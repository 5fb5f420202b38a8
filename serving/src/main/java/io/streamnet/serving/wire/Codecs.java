package io.streamnet.serving.wire;

import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** The codec of a record type in a wire format. */
public final class Codecs {
    /** Default ceiling for one record value: far above a 227x227x3 frame, far below a broker's limit. */
    public static final int DEFAULT_MAX_BYTES = Limits.DEFAULT_MAX_BYTES;

    private Codecs() {
    }

    public static <T extends SpecificRecord> RecordCodec<T> of(Class<T> type, WireFormat format) {
        return of(type, format, Limits.DEFAULT_MAX_BYTES);
    }

    public static <T extends SpecificRecord> RecordCodec<T> of(Class<T> type, WireFormat format, int maxBytes) {
        var schema = SpecificData.get().getSchema(type);
        return switch (format) {
            case AVRO -> new AvroBinaryCodec<>(schema, maxBytes);
            case JSON -> new JsonCodec<>(schema, maxBytes);
        };
    }
}
