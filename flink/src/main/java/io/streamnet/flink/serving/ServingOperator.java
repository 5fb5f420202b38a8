package io.streamnet.flink.serving;

import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.batch.MicroBatcher;
import io.streamnet.serving.event.SourcedEvent;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink side of every model-serving operator: input 1 carries keyed records that a
 * {@link MicroBatcher} buffers and the subclass runs in batches ({@link #run}); input 2 (broadcast)
 * carries {@link ModelUpdate} records for the {@link ModelSlot}, whose rules decide what serves.
 *
 * <p>An update is applied between batches (the buffer runs on the old model first). A refused one
 * goes to the dead-letter output; after a swap that changes the state's shape, every key's
 * model-dependent state is cleared (counted in {@code stateResets}). The serving model (checkpoint
 * bytes, id, version, signature) is kept in broadcast operator state, so a restored job serves the
 * model it served when checkpointed (with a trusted key: if its signature verifies; else the model
 * the job was started with, see {@link ModelSlot#restore}). Batches run on their size and time
 * trigger, on watermarks, before every checkpoint barrier, at end of input and at finish, so nothing
 * buffered is lost or checkpointed half-done.
 *
 * @param <IN>  the keyed input
 * @param <M>   the served model
 * @param <OUT> what it emits: predictions, or (the training operator) gradients
 */
public abstract class ServingOperator<IN, M extends ServedModel<M>, OUT> extends AbstractStreamOperator<OUT>
        implements TwoInputStreamOperator<IN, RawRecord, OUT>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ServingOperator.class);
    private static final String MODEL_CHECKPOINT = "checkpoint";
    private static final String MODEL_ID = "id";
    private static final String MODEL_VERSION = "version";
    /** The signature of the update that made the serving model (empty: none), checked again on restore. */
    private static final String MODEL_SIGNATURE = "signature";

    /**
     * What the base needs of a subclass's configuration.
     *
     * @param modelStateName broadcast state holding the serving model (part of savepoints)
     * @param keyStateName   the per-key float[] state that depends on the model's shape (part of savepoints)
     * @param stateTtl       idle keys' state expires after this (null: kept)
     * @param trustedKey     X.509 encoding of the Ed25519 key updates must be signed by (null: unsigned accepted)
     */
    public record Settings(int maxModelBytes, String modelStateName, String keyStateName, Duration stateTtl,
                           int batchSize, long batchMillis, byte[] trustedKey) implements Serializable {
    }

    /** The model travels as checkpoint bytes (validated on open), not as a Java-serialized object. */
    private final byte[] initialCheckpoint;
    private final String initialId;
    private final long initialVersion;
    private final Settings settings;

    private transient ModelSlot<M> slot;
    private transient ValueStateDescriptor<float[]> keyStateDescriptor;
    private transient ValueState<float[]> keyState;
    private transient ExpiringStates expiring;
    private transient MicroBatcher<IN> batcher;
    private transient BroadcastState<String, byte[]> modelState;
    private transient ServingMetrics servingMetrics;
    /** The update that made the last swap, for its dead letter if it fails in service. */
    private transient RawRecord lastSwap;

    /**
     * @param checkpoint     the model to serve until an update arrives (a restored job serves what
     *                       it served when checkpointed instead)
     * @param modelId        the model id this operator serves; updates for other ids are not for it
     * @param version        the initial model's version; updates must be newer
     */
    protected ServingOperator(byte[] checkpoint, String modelId, long version, Settings settings) {
        this.initialCheckpoint = checkpoint.clone();
        this.initialId = modelId;
        this.initialVersion = version;
        this.settings = settings;
    }

    /** How this operator's kind of model is loaded, validated and judged servable. */
    protected abstract ModelSlot.Kind<M> modelKind();

    /** Creates the operator's metrics (called once, in {@link #open()}). */
    protected abstract ServingMetrics createMetrics();

    /** The serving model changed (or was first loaded): size workspaces for it. */
    protected abstract void modelChanged(M serving) throws Exception;

    /** Runs a batch of records (oldest first) on the serving model. */
    protected abstract void run(List<IN> batch) throws Exception;

    /** Every key's model-dependent state was just cleared. */
    /** The operator is closing: free what the serving model's workspaces hold (device memory). */
    protected void released() {
    }

    @Override
    public void close() throws Exception {
        try {
            released();
        } finally {
            super.close();
        }
    }

    protected void stateCleared() {
    }

    /**
     * A keyed value state that expires with the operator's TTL (when one is set) and is swept with
     * the others ({@link ExpiringStates}). Call from {@link #open()}.
     */
    protected <T> ValueState<T> expiringState(ValueStateDescriptor<T> d) throws Exception {
        return getPartitionedState(expiring.expire(d));
    }

    private void scheduleSweep(long now) {
        getProcessingTimeService().registerTimer(now + expiring.periodMillis(), t -> {
            long t0 = System.nanoTime();
            expiring.sweep(getKeyedStateBackend());
            LOG.debug("swept expired state in {} ms", (System.nanoTime() - t0) / 1_000_000);
            scheduleSweep(t);
        });
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getBroadcastState(new MapStateDescriptor<>(settings.modelStateName(),
                Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void open() throws Exception {
        super.open();
        servingMetrics = createMetrics();
        expiring = new ExpiringStates(settings.stateTtl());
        keyStateDescriptor = new ValueStateDescriptor<>(settings.keyStateName(),
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO); // Flink's own serializer, not Kryo
        keyState = expiringState(keyStateDescriptor);
        if (expiring.enabled()) {
            scheduleSweep(getProcessingTimeService().getCurrentProcessingTime());
        }
        batcher = new MicroBatcher<>(settings.batchSize(), settings.batchMillis());
        slot = new ModelSlot<>(modelKind(), settings.maxModelBytes(), settings.trustedKey());
        byte[] restored = modelState.get(MODEL_CHECKPOINT);
        // With a trusted key, a restored model serves only if its signature (kept in the state) verifies.
        if (restored != null && slot.restore(restored, new String(modelState.get(MODEL_ID), StandardCharsets.UTF_8),
                Long.parseLong(new String(modelState.get(MODEL_VERSION), StandardCharsets.UTF_8)),
                modelState.get(MODEL_SIGNATURE)) != null) {
            LOG.info("restored serving model {}", slot.current());
        } else {
            remember(slot.open(initialCheckpoint, initialId, initialVersion));
        }
        servingMetrics.modelVersion = slot.current().version();
        modelChanged(slot.current());
    }

    private void remember(M m) throws Exception {
        modelState.put(MODEL_CHECKPOINT, m.checkpoint());
        modelState.put(MODEL_ID, m.modelId().getBytes(StandardCharsets.UTF_8));
        modelState.put(MODEL_VERSION, Long.toString(m.version()).getBytes(StandardCharsets.UTF_8));
        byte[] signature = slot.currentSignature();
        modelState.put(MODEL_SIGNATURE, signature == null ? new byte[0] : signature);
    }

    /**
     * The current key's float[] state, which depends on the model's shape: cleared for every key
     * when a swap changes it. With a TTL, expired state reads as absent.
     */
    protected ValueState<float[]> keyState() {
        return keyState;
    }

    /** The model serving now. */
    public M serving() {
        return slot.current();
    }

    // ---- input 1: records, batched ----

    /** Buffers a record for the next batch (the subclass checks it first and counts it). */
    protected void buffer(IN record) throws Exception {
        switch (batcher.add(record)) {
            case RUN -> flush();
            case ARM_TIMER -> getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime() + batcher.millis(), t -> flush());
            case WAIT -> {
            }
        }
    }

    /** Runs whatever is buffered (the timers and flush points above; tests call it too). */
    public void flush() throws Exception {
        if (batcher != null && !batcher.isEmpty()) {
            run(batcher.take());
        }
    }

    // ---- input 2: model updates ----

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        flush(); // the swap happens between batches: what is buffered runs on the model it arrived under
        RawRecord r = element.getValue();
        ModelSlot.Offer<M> offer = slot.offer(r.value);
        if (offer instanceof ModelSlot.Swapped<M> s) {
            lastSwap = r;
            swapped(s);
        } else if (offer instanceof ModelSlot.Refused<M> refused) {
            servingMetrics.modelUpdatesRejected.inc();
            // Every subtask sees every update and refuses it alike: one of them reports it.
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                deadLetter(r.topic, r.partition, r.offset, refused.reason(), refused.detail(), r.value);
            }
        } // ignored updates (another model id, not newer) are the slot's to log
    }

    /**
     * The serving model failed on live input ({@code why}): if it was swapped in by an update, the
     * model it replaced serves again and the update is dead-lettered as FAILED_IN_SERVICE.
     */
    protected void failedInService(String why) throws Exception {
        ModelSlot.Swapped<M> back = slot.rollBack(why);
        if (back == null) {
            return;
        }
        RawRecord r = lastSwap;
        lastSwap = null;
        servingMetrics.modelUpdatesRejected.inc();
        deadLetter(r == null ? "" : r.topic, r == null ? -1 : r.partition, r == null ? -1 : r.offset,
                RejectReason.FAILED_IN_SERVICE, "model " + back.old() + " failed on live input (" + why
                        + "); rolled back to " + back.next(), r == null ? new byte[0] : r.value);
        swapped(back);
    }

    private void swapped(ModelSlot.Swapped<M> s) throws Exception {
        remember(s.next());
        modelChanged(s.next());
        servingMetrics.modelVersion = s.next().version();
        servingMetrics.modelUpdatesApplied.inc();
        long cleared = 0;
        if (s.resetState()) {
            long[] n = {0};
            getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    keyStateDescriptor, (key, state) -> {
                        state.clear();
                        n[0]++;
                    });
            cleared = n[0];
            servingMetrics.stateResets.inc(cleared);
            stateCleared();
        }
        LOG.info("model swapped: {} -> {}{}", s.old(), s.next(),
                s.resetState() ? "; state shape changed, " + cleared + " keys start afresh" : "");
    }

    // ---- flush triggers ----

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            flush();
        }
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    // ---- output ----

    protected void emit(OUT r) {
        if (r instanceof Prediction p) {
            servingMetrics.latencyMs.update(p.getLatencyMs());
        }
        servingMetrics.predictionsOut.inc();
        output.collect(new StreamRecord<>(r));
    }

    protected void deadLetter(DeadLetter d) {
        servingMetrics.deadLetter(d.getReason());
        output.collect(DeadLetterOutput.TAG, new StreamRecord<>(d));
    }

    protected void deadLetter(String topic, int partition, long offset, RejectReason reason, String detail,
                              byte[] raw) {
        deadLetter(DeadLetters.of(topic, partition, offset, reason, detail, raw));
    }

    /** A decoded event refused here: {@code raw} stands for its bytes (the decode stage kept the originals). */
    protected void deadLetter(SourcedEvent e, Rejected why, byte[] raw) {
        deadLetter(DeadLetters.of(e.sourceTopic, e.sourcePartition, e.sourceOffset, why, raw));
    }
}
