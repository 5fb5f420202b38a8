package io.streamnet.flink.sequence;

import io.streamnet.serving.sequence.SequenceLifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.ValueState;

/**
 * The sequence operator's keyed state as the {@link SequenceLifecycle} sees it: each call names its
 * key, which becomes the operator's current key; the state is the key's float[], and its last seq
 * when the order is checked. Keeps the keysWithState gauge as keys close.
 */
final class SequenceKeyState implements SequenceLifecycle.KeyState {
    private final Consumer<String> setCurrentKey;
    private final SequenceOperatorMetrics metrics;
    private ValueState<float[]> state;
    /** Null when the order is not checked: nothing is kept. */
    private ValueState<Long> lastSeq;

    SequenceKeyState(Consumer<String> setCurrentKey, SequenceOperatorMetrics metrics) {
        this.setCurrentKey = setCurrentKey;
        this.metrics = metrics;
    }

    /** The operator's states, once it has them (they exist after the model is first served). */
    void bind(ValueState<float[]> state, ValueState<Long> lastSeq) {
        this.state = state;
        this.lastSeq = lastSeq;
    }

    @Override
    public float[] state(String key) {
        setCurrentKey.accept(key);
        return value(state);
    }

    @Override
    public Long lastSeq(String key) {
        setCurrentKey.accept(key);
        return lastSeq == null ? null : value(lastSeq);
    }

    @Override
    public void put(String key, float[] s, long seq) {
        setCurrentKey.accept(key);
        update(state, s);
        if (lastSeq != null) {
            update(lastSeq, seq);
        }
    }

    @Override
    public void clear(String key) {
        setCurrentKey.accept(key);
        if (value(state) != null) {
            metrics.keysWithState = Math.max(0, metrics.keysWithState - 1);
        }
        state.clear();
        if (lastSeq != null) {
            lastSeq.clear();
        }
    }

    private static <T> T value(ValueState<T> s) {
        try {
            return s.value();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> void update(ValueState<T> s, T value) {
        try {
            s.update(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
