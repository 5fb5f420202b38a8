package io.streamnet.flink.sink;

import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Writes an Avro record in the topic's wire format (Avro binary or JSON). */
public final class RecordValueSchema<T extends SpecificRecord> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final WireFormat format;
    private transient RecordCodec<T> codec;

    public RecordValueSchema(Class<T> type, WireFormat format) {
        this.type = type;
        this.format = format;
    }

    @Override
    public void open(InitializationContext context) {
        codec = Codecs.of(type, format, Integer.MAX_VALUE);
    }

    @Override
    public byte[] serialize(T record) {
        if (codec == null) {
            codec = Codecs.of(type, format, Integer.MAX_VALUE);
        }
        return codec.encode(record);
    }
}
