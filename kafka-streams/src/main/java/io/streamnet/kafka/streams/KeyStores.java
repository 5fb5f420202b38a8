package io.streamnet.kafka.streams;

import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateCodec;
import io.streamnet.rnn.state.StateLayout;
import io.streamnet.serving.sequence.SequenceLifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Streams task's per-key state as the {@link SequenceLifecycle} sees it: the RNN state in a
 * persistent, changelogged store as {@link StateCodec} bytes (which record the layout, so a key
 * whose state the serving model cannot read starts afresh when it is next read), and its
 * {@link KeyMeta} (last seq, time of the last write) beside it, which the state TTL sweeps by.
 */
final class KeyStores implements SequenceLifecycle.KeyState {
    private static final Logger LOG = LoggerFactory.getLogger(KeyStores.class);
    private final KeyValueStore<String, byte[]> states;
    private final KeyValueStore<String, byte[]> meta;
    /** The serving model's state layout. */
    private final Supplier<StateLayout> layout;
    /** The clock punctuations see. */
    private final LongSupplier clock;
    private long stateResets;

    KeyStores(KeyValueStore<String, byte[]> states, KeyValueStore<String, byte[]> meta, Supplier<StateLayout> layout,
              LongSupplier clock) {
        this.states = states;
        this.meta = meta;
        this.layout = layout;
        this.clock = clock;
    }

    /** The key's stored state, or null: none, or written for another model shape (then it starts afresh). */
    @Override
    public float[] state(String key) {
        byte[] bytes = states.get(key);
        if (bytes == null) {
            return null;
        }
        try {
            return StateCodec.decode(bytes, layout.get()).values();
        } catch (StateCodec.IncompatibleStateException ex) {
            stateResets++;
            LOG.warn("state of key {} was written for another model shape; starting it afresh ({} resets so far): {}",
                    key, stateResets, ex.getMessage());
            return null;
        }
    }

    @Override
    public Long lastSeq(String key) {
        KeyMeta m = KeyMeta.decode(meta.get(key));
        return m == null ? null : m.lastSeq();
    }

    @Override
    public void put(String key, float[] state, long lastSeq) {
        states.put(key, StateCodec.encode(new RnnState(layout.get(), state)));
        meta.put(key, new KeyMeta(lastSeq, clock.getAsLong()).encode());
    }

    @Override
    public void clear(String key) {
        states.delete(key);
        meta.delete(key);
    }

    /** Drops the state of keys not written for {@code ttl} (a full pass over the key-meta store). */
    void expireIdle(long now, Duration ttl) {
        long cutoff = now - ttl.toMillis();
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = meta.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                KeyMeta m = KeyMeta.decode(kv.value);
                if (m == null || m.writtenAt() < cutoff) {
                    idle.add(kv.key);
                }
            }
        }
        for (String key : idle) {
            clear(key);
        }
        if (!idle.isEmpty()) {
            LOG.debug("expired the state of {} keys idle for {}", idle.size(), ttl);
        }
    }
}
