package io.streamnet.kafka.model;

import io.streamnet.engine.backend.Backends;
import io.streamnet.contract.ClientProperties;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateHeader;
import io.streamnet.serving.model.UpdateSignatures;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the newest valid version of a model from the model-updates topic (to start a job with it). */
public final class ModelUpdateReader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateReader.class);

    private ModelUpdateReader() {
    }

    /**
     * Scans the topic from the beginning to its current end and returns the newest update of
     * {@code modelId} (any id when null) that passes validation, whatever the records' keys and
     * order (a re-published older version, a tombstone); invalid ones are logged and skipped.
     *
     * @throws IllegalStateException when the topic holds no valid model
     */
    public static ServedSequenceModel latest(String bootstrap, String topic, String modelId, int maxBytes, Duration timeout) {
        return latest(bootstrap, ClientProperties.NONE, null, topic, modelId, maxBytes, timeout);
    }

    /**
     * As {@link #latest(String, String, String, int, Duration)}, with the user's client settings, and
     * with a trusted key (X.509 Ed25519; null: none) only updates signed by it count.
     */
    public static ServedSequenceModel latest(String bootstrap, ClientProperties client, byte[] trustedKey, String topic,
                                             String modelId, int maxBytes, Duration timeout) {
        return latest(bootstrap, client, trustedKey, topic, modelId, maxBytes, timeout,
                u -> ModelUpdates.validate(Backends.get(), u));
    }

    /** As above, for a frame model (a CNN, optionally with its smoother). */
    public static ServedFrameModel latestFrames(String bootstrap, ClientProperties client, byte[] trustedKey,
                                                String topic, String modelId, int maxBytes, Duration timeout) {
        return latest(bootstrap, client, trustedKey, topic, modelId, maxBytes, timeout,
                u -> ModelUpdates.validateFrames(Backends.get(), u));
    }

    /** How a decoded update whose signature verified becomes a model, or is refused. */
    @FunctionalInterface
    private interface Validator<M> {
        M validate(ModelUpdate u) throws ModelRejected;
    }

    private static <M extends ServedModel<M>> M latest(String bootstrap, ClientProperties client, byte[] trustedKey,
                                                       String topic, String modelId, int maxBytes, Duration timeout,
                                                       Validator<M> validator) {
        var trusted = trustedKey == null ? null : UpdateSignatures.publicKey(trustedKey);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(maxBytes));
        M best = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(client.over(p))) {
            List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts, timeout);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue; // a tombstone removes nothing here: the newest verified version wins
                    }
                    try {
                        // Header first: another id, an older version or a bad signature costs no decode.
                        UpdateHeader h = UpdateHeader.read(r.value(), maxBytes);
                        if ((modelId != null && !modelId.equals(h.modelId()))
                                || (best != null && h.version() <= best.version())) {
                            continue;
                        }
                        if (trusted != null) {
                            UpdateSignatures.verify(h, trusted);
                        }
                        best = validator.validate(ModelUpdates.decode(r.value(), h));
                    } catch (ModelRejected e) {
                        LOG.warn("skipping {}@{} in {}: {}", r.partition(), r.offset(), topic, e.getMessage());
                    }
                }
            }
        }
        if (best == null) {
            throw new IllegalStateException("no valid model" + (modelId == null ? "" : " " + modelId) + " in topic "
                    + topic + ": publish one (streamnet publish-model) or start the job with a checkpoint file");
        }
        return best;
    }
}
