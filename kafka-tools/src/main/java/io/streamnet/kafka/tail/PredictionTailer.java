package io.streamnet.kafka.tail;

import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.wire.DecodeException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the predictions topic with {@code read_committed} (only predictions of committed Flink
 * transactions are seen), hands each to a callback and keeps {@link TailStats}. Undecodable values
 * are counted and logged, never fatal.
 */
public final class PredictionTailer {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionTailer.class);

    private final Properties client;
    private final String topic;
    private final RecordSerde<Prediction> serde;
    private final TailStats stats = new TailStats();
    private long undecodable;

    public PredictionTailer(Properties client, String topic, RecordSerde<Prediction> serde) {
        this.client = client;
        this.topic = topic;
        this.serde = serde;
    }

    /** Polls until {@code stop} says so, from the earliest offset when {@code fromStart}. */
    public TailStats run(boolean fromStart, BooleanSupplier stop, Consumer<Prediction> onPrediction) {
        Properties p = new Properties();
        p.putAll(client);
        p.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "streamnet-tail-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromStart ? "earliest" : "latest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!stop.getAsBoolean()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Prediction pred;
                    try {
                        pred = serde.deserializer().deserialize(topic, r.value());
                    } catch (DecodeException e) {
                        undecodable++;
                        LOG.warn("undecodable prediction at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                                e.getMessage());
                        continue;
                    }
                    if (pred != null) {
                        stats.record(pred, System.currentTimeMillis());
                        onPrediction.accept(pred);
                    }
                }
            }
        }
        return stats;
    }

    public TailStats stats() {
        return stats;
    }

    public long undecodable() {
        return undecodable;
    }
}
