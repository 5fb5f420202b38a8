package io.streamnet.kafka.streams;

import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.UpdateHeader;
import io.streamnet.serving.model.UpdateSignatures;
import java.security.PublicKey;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps, per model id, two records of the model-updates topic in a global store that every task
 * reads: the one that arrived last ({@link #latestKey}), so that each task's {@code ModelSlot}
 * judges every update (and dead-letters the refused ones), and the highest version whose header
 * reads and, with a trusted key, whose signature verifies ({@link #bestKey}), which no later record
 * replaces: an older version re-published, or a tombstone, cannot hide the newest version from a
 * task that starts now. Whether a record may serve stays the slot's decision. The store is rebuilt
 * through this processor from the topic at every start, so it holds the same after a restart.
 */
final class ModelUpdateStore implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateStore.class);
    private final String modelId;
    private final PublicKey trusted;
    private KeyValueStore<String, byte[]> store;

    /**
     * @param modelId    the one id the app serves (its slot ignores every other): records of other ids are
     *                   not kept, or anyone who can write the topic could fill every instance's memory
     *                   with up to two records of 64 MiB per id they invent
     * @param trustedKey X.509 Ed25519 key updates must be signed by (null: unsigned ones count)
     */
    ModelUpdateStore(String modelId, byte[] trustedKey) {
        this.modelId = modelId;
        this.trusted = trustedKey == null ? null : UpdateSignatures.publicKey(trustedKey);
    }

    /**
     * Where the record of {@code modelId} that arrived last is kept. The two kinds of key start with
     * different prefixes, neither a prefix of the other, so no model id (an attacker's may hold any
     * character) names another id's place: "m\0best" once overwrote where m's newest version was kept.
     */
    static String latestKey(String modelId) {
        return "latest:" + modelId;
    }

    /** Where the highest verified version of {@code modelId} is kept (see {@link #latestKey}). */
    static String bestKey(String modelId) {
        return "best:" + modelId;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(RnnTopology.MODEL_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            LOG.warn("tombstone {} on the model-updates topic ignored: versions are never removed", record.key());
            return;
        }
        UpdateHeader h;
        try {
            h = UpdateHeader.read(record.value(), ModelUpdates.DEFAULT_MAX_BYTES);
        } catch (ModelRejected e) {
            // No id to trust: filed under the key's id, for the slot to refuse and report.
            if (record.key() != null && modelId.equals(idOfKey(record.key()))) {
                store.put(latestKey(modelId), record.value());
            }
            return;
        }
        if (!modelId.equals(h.modelId())) {
            LOG.debug("update for model {} not kept: this app serves {}", h.modelId(), modelId);
            return;
        }
        store.put(latestKey(h.modelId()), record.value());
        byte[] best = store.get(bestKey(h.modelId()));
        try {
            if (best != null && UpdateHeader.read(best, Integer.MAX_VALUE).version() >= h.version()) {
                return;
            }
            if (trusted != null) {
                UpdateSignatures.verify(h, trusted);
            }
            store.put(bestKey(h.modelId()), record.value());
        } catch (ModelRejected e) {
            LOG.debug("model {} v{} is not a candidate for the newest version: {}", h.modelId(), h.version(),
                    e.getMessage());
        }
    }

    /** The model id a record key names: {@code id@version} ({@link ModelUpdates#key}), or a bare id. */
    private static String idOfKey(String key) {
        int at = key.lastIndexOf('@');
        return at < 0 ? key : key.substring(0, at);
    }
}
