package io.streamnet.kafka.replay;

import io.streamnet.kafka.serde.RecordSerde;
import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends events to a topic at a given rate with an idempotent producer; reports progress after each send. */
public final class Replayer {
    private Replayer() {
    }

    /** Sends up to {@code limit} events (0: all); returns how many were sent. Fails on the first send error. */
    public static <T> long replay(Properties client, String topic, RecordSerde<T> serde, Iterator<KeyedEvent<T>> events,
                                  double ratePerSecond, long limit, LongConsumer progress) throws InterruptedException {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        RateLimiter pace = new RateLimiter(ratePerSecond);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer())) {
            while (events.hasNext() && (limit <= 0 || sent < limit) && failure.get() == null) {
                pace.acquire();
                KeyedEvent<T> e = events.next();
                producer.send(new ProducerRecord<>(topic, e.key(), e.value()), (md, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    }
                });
                sent++;
                progress.accept(sent);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing to " + topic + " failed after " + sent + " events", failure.get());
        }
        return sent;
    }
}
