package io.streamnet.kafka.serde;

import io.streamnet.serving.wire.DecodeException;
import io.streamnet.serving.wire.RecordCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} over a {@link RecordCodec}: null stays null (tombstones); bad bytes throw
 * Kafka's {@link SerializationException} (what clients and Streams' handlers expect), caused by
 * the codec's {@link DecodeException} with its reason.
 */
public final class RecordSerde<T> implements Serde<T> {
    private final RecordCodec<T> codec;

    public RecordSerde(RecordCodec<T> codec) {
        this.codec = codec;
    }

    public RecordCodec<T> codec() {
        return codec;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : codec.encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return codec.decode(bytes);
            } catch (DecodeException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }
}
