package io.streamnet.kafka.model;

import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.UpdateSignatures;
import java.security.PrivateKey;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends a model as a {@link io.streamnet.schemas.ModelUpdate} to the model-updates topic, keyed by
 * model id and version ({@link ModelUpdates#key}): a version never replaces another in the topic.
 */
public final class ModelUpdatePublisher {
    private ModelUpdatePublisher() {
    }

    /** Publishes {@code m} (already validated) and waits for the broker's acknowledgement. */
    public static void publish(Properties client, String topic, ServedModel<?> m, Map<String, Double> metrics)
            throws Exception {
        publish(client, topic, m, metrics, null);
    }

    /** As above, signed with {@code signKey} (Ed25519; null: unsigned) for jobs that trust its public key. */
    public static void publish(Properties client, String topic, ServedModel<?> m, Map<String, Double> metrics,
                               PrivateKey signKey) throws Exception {
        publish(client, topic, m.modelId(), m.version(), m.checkpoint(), metrics, signKey);
    }

    private static void publish(Properties client, String topic, String modelId, long version, byte[] checkpoint,
                                Map<String, Double> metrics, PrivateKey signKey) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(ModelUpdates.DEFAULT_MAX_BYTES));
        // The default 32 MiB buffer refuses a record between it and the topic's 64 MiB limit.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(2L * ModelUpdates.DEFAULT_MAX_BYTES));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        var update = ModelUpdates.toUpdate(modelId, version, checkpoint, metrics);
        if (signKey != null) {
            UpdateSignatures.sign(update, signKey);
        }
        byte[] value = ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(update);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, ModelUpdates.key(modelId, version), value)).get();
        }
    }
}
