package io.streamnet.serving.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * Buffers records until {@code size} of them or {@code millis} have passed since the first one, so
 * that one batched computation serves them all. The runtime owns the clock: {@link #add} tells it
 * when to run the batch now and when to arm a timer; it calls {@link #take} when either fires (and
 * at every point where nothing may stay buffered: checkpoints, watermarks, end of input).
 *
 * @param <T> the buffered record
 */
public final class MicroBatcher<T> {
    /** What the runtime does after an {@link #add}. */
    public enum Next {
        /** Nothing: the batch is neither full nor new. */
        WAIT,
        /** The first record of a batch: arm a timer for {@link #millis()} from now; when it fires, run the batch. */
        ARM_TIMER,
        /** The batch is full (or batches have no time budget): run it now. */
        RUN
    }

    private final int size;
    private final long millis;
    private final List<T> buffer;
    private final List<T> taken;
    private boolean timerArmed;

    /**
     * @param size   most records per batch (B), at least 1
     * @param millis longest a record waits for its batch (T); 0 runs every record at once
     */
    public MicroBatcher(int size, long millis) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        }
        if (millis < 0) {
            throw new IllegalArgumentException("batch time must be non-negative, got " + millis);
        }
        this.size = size;
        this.millis = millis;
        this.buffer = new ArrayList<>(size);
        this.taken = new ArrayList<>(size);
    }

    public Next add(T record) {
        buffer.add(record);
        if (buffer.size() >= size || millis == 0) {
            return Next.RUN;
        }
        if (!timerArmed) {
            timerArmed = true;
            return Next.ARM_TIMER;
        }
        return Next.WAIT;
    }

    /**
     * The buffered records, oldest first, and an empty buffer (the next record starts a new batch
     * and arms a new timer). The list is reused: valid until the next call.
     */
    public List<T> take() {
        timerArmed = false;
        taken.clear();
        taken.addAll(buffer);
        buffer.clear();
        return taken;
    }

    public boolean isEmpty() {
        return buffer.isEmpty();
    }


    public long millis() {
        return millis;
    }
}
