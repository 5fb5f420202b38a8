package io.streamnet.kafka.replay;

/** One event to produce: its key and value. */
public record KeyedEvent<T>(String key, T value) {
}
