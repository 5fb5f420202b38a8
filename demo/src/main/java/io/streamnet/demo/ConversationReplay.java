package io.streamnet.demo;

import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.replay.KeyedEvent;
import io.streamnet.kafka.replay.Replayer;
import io.streamnet.kafka.replay.SentenceEvents;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/** The demos' replay: sentences as live conversations, word by word, JSON on the wire (as kcat speaks it). */
final class ConversationReplay {
    private ConversationReplay() {
    }

    /**
     * One pass over {@code sentences}, {@code concurrent} conversations at a time, each key prefixed
     * by {@code prefix} (a new conversation id per round, or none to keep a sentence's key), at
     * {@code rate} words/s, until done or {@code stop} is set.
     */
    static void pass(EmbeddedKafka kafka, String topic, List<LabelledSentence> sentences, int concurrent, String prefix,
                     double rate, AtomicBoolean stop, LongConsumer progress) throws InterruptedException {
        RecordSerde<TextEvent> serde = new RecordSerde<>(Codecs.of(TextEvent.class, WireFormat.JSON));
        Iterator<KeyedEvent<TextEvent>> words = new SentenceEvents(sentences, concurrent, true, System::currentTimeMillis);
        Iterator<KeyedEvent<TextEvent>> renamed = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !stop.get() && words.hasNext();
            }

            @Override
            public KeyedEvent<TextEvent> next() {
                KeyedEvent<TextEvent> e = words.next();
                String key = prefix + e.key();
                e.value().setKey(key);
                return new KeyedEvent<>(key, e.value());
            }
        };
        Replayer.replay(kafka.clientProperties(), topic, serde, renamed, rate, 0, progress);
    }
}
