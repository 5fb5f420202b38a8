package io.streamnet.kafka.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the newest record of each model id from the model-updates topic in a global store, which
 * every task reads: the updates are only bytes here; whether one may serve is each task's
 * {@code ModelSlot}'s decision.
 */
final class ModelUpdateStore implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateStore.class);
    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(RnnTopology.MODEL_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            LOG.warn("model update without a model id key or without a value ignored");
            return;
        }
        store.put(record.key(), record.value());
    }
}
