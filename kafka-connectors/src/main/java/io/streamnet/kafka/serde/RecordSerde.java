package io.streamnet.kafka.serde;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka {@link Serde} over a {@link RecordCodec}: null stays null (tombstones), bad bytes throw {@link DecodeException}. */
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
        return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
    }
}
