package io.streamnet.serving.wire;

/** Encodes and decodes one record type in one wire format. Implementations are thread-safe. */
public interface RecordCodec<T> {
    WireFormat format();

    byte[] encode(T record);

    /** Decodes {@code bytes}, or throws {@link DecodeException} with the reason and the bytes. */
    T decode(byte[] bytes);
}
