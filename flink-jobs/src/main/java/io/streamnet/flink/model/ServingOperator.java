package io.streamnet.flink.model;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.flink.sequence.DeadLetters;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
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
 * What every model-serving operator shares: input 1 carries keyed work that the subclass buffers
 * and runs in batches ({@link #flush()}); input 2 (broadcast) carries {@link ModelUpdate} records.
 *
 * <p>An update is applied between batches (the buffer is flushed with the old model first).
 * Updates for other model ids or older versions are ignored; updates that fail validation go to
 * the dead-letter output and the old model keeps serving. If the new model's keyed state cannot be
 * read by the old one's shape, every key's state is cleared (counted in {@code stateResets}). The
 * serving model (checkpoint bytes, id, version) is kept in broadcast operator state, so a restored
 * job serves the model it served when checkpointed. Batches are flushed on watermarks, before
 * every checkpoint barrier, at end of input and at finish, so nothing buffered is lost or
 * checkpointed half-done.
 *
 * @param <IN> the keyed input
 * @param <M>  the served model
 */
public abstract class ServingOperator<IN, M extends ServingOperator.Served> extends AbstractStreamOperator<Prediction>
        implements TwoInputStreamOperator<IN, RawRecord, Prediction>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ServingOperator.class);
    private static final String MODEL_CHECKPOINT = "checkpoint";
    private static final String MODEL_ID = "id";
    private static final String MODEL_VERSION = "version";

    /** A model as an operator serves it: its identity and the checkpoint bytes it came from. */
    public interface Served {
        String modelId();

        long version();

        byte[] checkpoint();
    }

    /** The model travels as checkpoint bytes (validated on open), not as a Java-serialized object. */
    private final byte[] initialCheckpoint;
    private final String initialId;
    private final long initialVersion;
    private final int maxModelBytes;
    private final String modelStateName;

    protected transient M serving;
    private transient BroadcastState<String, byte[]> modelState;
    private transient ServingMetrics servingMetrics;

    /**
     * @param checkpoint     the model to serve until an update arrives (a restored job serves what
     *                       it served when checkpointed instead)
     * @param modelId        the model id this operator serves; updates for other ids are not for it
     * @param version        the initial model's version; updates must be newer
     * @param modelStateName name of the broadcast state holding the serving model (part of savepoints)
     */
    protected ServingOperator(byte[] checkpoint, String modelId, long version, int maxModelBytes,
                              String modelStateName) {
        this.initialCheckpoint = checkpoint.clone();
        this.initialId = modelId;
        this.initialVersion = version;
        this.maxModelBytes = maxModelBytes;
        this.modelStateName = modelStateName;
    }

    /** Validates and loads checkpoint bytes (the initial model, or the one restored from state). */
    protected abstract M load(byte[] checkpoint, String modelId, long version) throws CheckpointException;

    /** Validates an update (checksum, format, shapes) into a model, or rejects it. */
    protected abstract M validate(ModelUpdate update) throws ModelRejectedException;

    /** Why this operator cannot serve {@code m} (null: it can). */
    protected String incompatibility(M m) {
        return null;
    }

    /** Whether keyed state written under {@code old} can be read under {@code next}. */
    protected abstract boolean sameStateShape(M old, M next);

    /** The keyed state that depends on the model's shape: cleared for every key when it changes. */
    protected abstract StateDescriptor<?, ?> modelDependentState();

    /** Creates the operator's metrics (called once, in {@link #open()}). */
    protected abstract ServingMetrics createMetrics();

    /** The serving model changed (or was first loaded): size workspaces for it. */
    protected abstract void modelChanged() throws Exception;

    /** Runs everything buffered on the serving model. */
    protected abstract void flush() throws Exception;

    /**
     * Per-key float[] state (Flink's primitive-array serializer, not Kryo). With a TTL, expired state
     * reads as absent, so an idle key starts afresh; expired entries are dropped from full snapshots
     * rather than by incremental cleanup, which walks the state map on every access (a fifth of the
     * RNN operator's time in the pipeline benchmark's profile).
     */
    protected static ValueStateDescriptor<float[]> floatState(String name, Duration ttl) {
        ValueStateDescriptor<float[]> d = new ValueStateDescriptor<>(name, PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        if (ttl != null) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .disableCleanupInBackground()
                    .cleanupFullSnapshot()
                    .build());
        }
        return d;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getBroadcastState(new MapStateDescriptor<>(modelStateName,
                Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void open() throws Exception {
        super.open();
        servingMetrics = createMetrics();
        byte[] restored = modelState.get(MODEL_CHECKPOINT);
        if (restored != null) {
            serving = load(restored, new String(modelState.get(MODEL_ID), StandardCharsets.UTF_8),
                    Long.parseLong(new String(modelState.get(MODEL_VERSION), StandardCharsets.UTF_8)));
            LOG.info("restored serving model {}", serving);
        } else {
            serving = load(initialCheckpoint, initialId, initialVersion);
            remember(serving);
        }
        String why = incompatibility(serving);
        if (why != null) {
            throw new IllegalArgumentException("model " + serving + " cannot be served here: " + why);
        }
        servingMetrics.modelVersion = serving.version();
    }

    private void remember(M m) throws Exception {
        modelState.put(MODEL_CHECKPOINT, m.checkpoint());
        modelState.put(MODEL_ID, m.modelId().getBytes(StandardCharsets.UTF_8));
        modelState.put(MODEL_VERSION, Long.toString(m.version()).getBytes(StandardCharsets.UTF_8));
    }

    /** The model serving now (for tests and logs). */
    public M serving() {
        return serving;
    }

    // ---- input 2: model updates ----

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        flush(); // the swap happens between batches: what is buffered runs on the model it arrived under
        RawRecord r = element.getValue();
        M next;
        try {
            ModelUpdate u = ModelUpdates.decode(r.value, maxModelBytes);
            if (!u.getModelId().equals(serving.modelId())) {
                LOG.debug("update for model {} ignored: this operator serves {}", u.getModelId(), serving.modelId());
                return;
            }
            if (u.getVersion() <= serving.version()) {
                LOG.info("model {} v{} ignored: v{} is serving", u.getModelId(), u.getVersion(), serving.version());
                return;
            }
            next = validate(u);
            String why = incompatibility(next);
            if (why != null) {
                throw new ModelRejectedException("INCOMPATIBLE", "model " + next + " rejected: " + why, null);
            }
        } catch (ModelRejectedException e) {
            servingMetrics.modelUpdatesRejected.inc();
            LOG.warn("model update rejected ({}), {} keeps serving: {}", e.reason(), serving, e.getMessage());
            deadLetter(DeadLetters.of(r.topic, r.partition, r.offset, e.reason(), e.getMessage(), r.value));
            return;
        }
        swap(next);
    }

    private void swap(M next) throws Exception {
        boolean reset = !sameStateShape(serving, next);
        M old = serving;
        serving = next;
        remember(next);
        modelChanged();
        servingMetrics.modelVersion = next.version();
        servingMetrics.modelUpdatesApplied.inc();
        long cleared = 0;
        if (reset) {
            long[] n = {0};
            getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    modelDependentState(), (key, s) -> {
                        s.clear();
                        n[0]++;
                    });
            cleared = n[0];
            servingMetrics.stateResets.inc(cleared);
            stateCleared();
        }
        LOG.info("model swapped: {} -> {}{}", old, next,
                reset ? "; state shape changed, " + cleared + " keys start afresh" : "");
    }

    /** Every key's model-dependent state was just cleared. */
    protected void stateCleared() {
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

    protected void deadLetter(DeadLetter d) {
        servingMetrics.deadLetter(d.getReason());
        output.collect(DeadLetters.TAG, new StreamRecord<>(d));
    }
}
