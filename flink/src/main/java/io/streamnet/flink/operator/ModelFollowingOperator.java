package io.streamnet.flink.operator;

import io.streamnet.flink.source.RawRecord;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedModel;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The Flink wiring of an operator that runs keyed records in micro-batches on a model it follows:
 * input 1 goes to a {@link MicroBatchTrigger}, input 2 (broadcast model updates) to the
 * {@link FollowedModel}; refusals go to the {@link DeadLetterOutput}, and idle keys' state to the TTL
 * sweep ({@link ExpiringStates}). What this class adds is when the buffer runs besides its size and
 * time: before an update is applied (the buffer runs on the model it arrived under), on watermarks,
 * before every checkpoint barrier, at end of input and at finish, so nothing buffered is lost or
 * checkpointed half-done.
 */
public abstract class ModelFollowingOperator<IN, M extends ServedModel<M>, OUT> extends AbstractStreamOperator<OUT>
        implements TwoInputStreamOperator<IN, RawRecord, OUT>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    /**
     * @param modelStateName broadcast state holding the serving model (part of savepoints)
     * @param keyStateName   the per-key float[] state that depends on the model's shape (part of savepoints; null: none)
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

    private transient BroadcastState<String, byte[]> modelState;
    private transient ExpiringStates expiring;
    private transient ModelShapedState shaped;
    private transient MicroBatchTrigger<IN> batches;
    private transient FollowedModel<M> model;
    private transient ModelMetrics modelMetrics;
    private transient DeadLetterOutput deadLetters;

    /** The model {@code checkpoint} serves until a newer update of {@code modelId} arrives (or what a restore brings). */
    protected ModelFollowingOperator(byte[] checkpoint, String modelId, long version, Settings settings) {
        this.initialCheckpoint = checkpoint.clone();
        this.initialId = modelId;
        this.initialVersion = version;
        this.settings = settings;
    }

    /** How this operator's kind of model is loaded, validated and judged servable. */
    protected abstract ModelSlot.Kind<M> modelKind();

    /** The serving model changed (or was first loaded, in {@link #open()}): size workspaces for it. */
    protected abstract void modelChanged(M serving) throws Exception;

    /** Runs a batch of records (oldest first) on the serving model. */
    protected abstract void run(List<IN> batch) throws Exception;

    /** Every key's model-shaped state was just cleared. */
    protected void stateCleared() {
    }

    /** The buffer ran where nothing may stay pending: before a barrier, at end of input, at finish. */
    protected void drained() throws Exception {
    }

    /** The operator is closing: free what the serving model's workspaces hold (device memory). */
    protected void released() {
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getBroadcastState(FollowedModel.descriptor(settings.modelStateName()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        modelMetrics = new ModelMetrics(getMetricGroup());
        deadLetters = new DeadLetterOutput(output, getMetricGroup());
        expiring = new ExpiringStates(settings.stateTtl());
        if (settings.keyStateName() != null) {
            shaped = new ModelShapedState(settings.keyStateName());
            shaped.bind(expiringState(shaped.descriptor()));
        }
        expiring.sweepEvery(getProcessingTimeService(), getKeyedStateBackend());
        batches = new MicroBatchTrigger<>(settings.batchSize(), settings.batchMillis(), getProcessingTimeService(), this::run);
        model = new FollowedModel<>(new ModelSlot<>(modelKind(), settings.maxModelBytes(), settings.trustedKey()),
                modelState, this::modelChanged, this::clearShapedState, modelMetrics, deadLetters,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0);
        model.start(initialCheckpoint, initialId, initialVersion);
    }

    private long clearShapedState() throws Exception {
        long n = shaped == null ? 0 : shaped.clearAll(getKeyedStateBackend());
        stateCleared();
        return n;
    }

    /** A keyed value state that expires with the operator's TTL (when one is set) and is swept with the others. */
    protected <T> ValueState<T> expiringState(ValueStateDescriptor<T> d) throws Exception {
        return getPartitionedState(expiring.expire(d));
    }

    /** The current key's model-shaped state (cleared for every key when a swap changes the shape; expired reads as absent). */
    protected ValueState<float[]> keyState() {
        return shaped.state();
    }

    /** The model serving now. */
    public M serving() {
        return model.current();
    }

    /** See {@link FollowedModel#failedInService}. */
    protected void failedInService(String why) throws Exception {
        model.failedInService(why);
    }

    protected ModelMetrics modelMetrics() {
        return modelMetrics;
    }

    protected DeadLetterOutput deadLetters() {
        return deadLetters;
    }

    /** Buffers a record for the next batch (the operator checks it first and counts it). */
    protected void buffer(IN record) throws Exception {
        batches.add(record);
    }

    /** Runs whatever is buffered (at the points above; tests call it too). */
    public void flush() throws Exception {
        if (batches != null) {
            batches.flush();
        }
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        flush(); // the swap happens between batches: what is buffered runs on the model it arrived under
        model.offer(element.getValue());
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        drained();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            flush();
            drained();
        }
    }

    @Override
    public void finish() throws Exception {
        flush();
        drained();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            released();
        } finally {
            super.close();
        }
    }
}
