package io.streamnet.kafka.replay;

import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.text.WordTokenizer;
import io.streamnet.schemas.TextEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * Sentences as live conversations: each sentence is a conversation {@code conv-N} sending one
 * {@link TextEvent} per word (or the whole text in one event), the last one flagged
 * end-of-sequence and carrying the label. {@code concurrent} conversations are interleaved, as
 * many users typing at once.
 */
public final class SentenceEvents implements Iterator<KeyedEvent<TextEvent>> {
    private final List<LabelledSentence> sentences;
    private final boolean perWord;
    private final LongSupplier clock;
    private final Deque<Conversation> active = new ArrayDeque<>();
    private int next;

    private static final class Conversation {
        final String key;
        final List<String> parts;
        final Integer label;
        int position;

        Conversation(String key, List<String> parts, Integer label) {
            this.key = key;
            this.parts = parts;
            this.label = label;
        }
    }

    public SentenceEvents(List<LabelledSentence> sentences, int concurrent, boolean perWord, LongSupplier clock) {
        if (concurrent < 1) {
            throw new IllegalArgumentException("need at least one concurrent conversation");
        }
        this.sentences = sentences;
        this.perWord = perWord;
        this.clock = clock;
        for (int i = 0; i < concurrent; i++) {
            open();
        }
    }

    private void open() {
        while (next < sentences.size()) {
            LabelledSentence s = sentences.get(next);
            List<String> parts = perWord ? WordTokenizer.tokenize(s.text()) : List.of(s.text());
            String key = "conv-" + next++;
            if (!parts.isEmpty()) {
                active.addLast(new Conversation(key, new ArrayList<>(parts), s.label()));
                return;
            }
        }
    }

    @Override
    public boolean hasNext() {
        return !active.isEmpty();
    }

    @Override
    public KeyedEvent<TextEvent> next() {
        Conversation c = active.pollFirst();
        if (c == null) {
            throw new NoSuchElementException();
        }
        boolean last = c.position == c.parts.size() - 1;
        TextEvent e = TextEvent.newBuilder().setKey(c.key).setSeq(c.position)
                .setEventTime(Instant.ofEpochMilli(clock.getAsLong())).setText(c.parts.get(c.position))
                .setLabel(last ? c.label : null).setEndOfSequence(last).build();
        c.position++;
        if (last) {
            open();
        } else {
            active.addLast(c);
        }
        return new KeyedEvent<>(c.key, e);
    }
}
