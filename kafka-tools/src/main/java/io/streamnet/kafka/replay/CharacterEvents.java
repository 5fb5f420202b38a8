package io.streamnet.kafka.replay;

import io.streamnet.schemas.StepEvent;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * A text as {@code streams} parallel character streams (the text cut into equal parts, like the
 * training streams of a next-character model): a {@link StepEvent} per character whose single
 * feature is the character's code, labelled with the code of the character that follows.
 */
public final class CharacterEvents implements Iterator<KeyedEvent<StepEvent>> {
    private final String text;
    private final int streams;
    private final int length;
    private final LongSupplier clock;
    private long next;

    public CharacterEvents(String text, int streams, LongSupplier clock) {
        if (streams < 1 || text.length() < streams + 1) {
            throw new IllegalArgumentException("text of " + text.length() + " characters cannot make " + streams + " streams");
        }
        this.text = text;
        this.streams = streams;
        this.length = (text.length() - 1) / streams;
        this.clock = clock;
    }

    @Override
    public boolean hasNext() {
        return next < (long) length * streams;
    }

    @Override
    public KeyedEvent<StepEvent> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int stream = (int) (next % streams);
        int step = (int) (next / streams);
        next++;
        int pos = stream * length + step;
        String key = "text-" + stream;
        StepEvent e = StepEvent.newBuilder().setKey(key).setStep(step).setEventTime(Instant.ofEpochMilli(clock.getAsLong()))
                .setFeatures(List.of((float) text.charAt(pos))).setLabel((int) text.charAt(pos + 1))
                .setEndOfSequence(step == length - 1).build();
        return new KeyedEvent<>(key, e);
    }
}
