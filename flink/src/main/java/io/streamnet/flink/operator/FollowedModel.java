package io.streamnet.flink.operator;

import io.streamnet.flink.source.RawRecord;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedModelRecord;
import io.streamnet.serving.reject.RejectReason;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model an operator serves, following the model updates it is sent: the {@link ModelSlot}'s rules
 * decide what serves. The serving model is kept in broadcast operator state
 * ({@link ServedModelRecord}), so a restored job serves the model it served when checkpointed (with
 * a trusted key: if its signature verifies; else the model the job was started with, see
 * {@link ModelSlot#restore}). A refused update is a dead letter; a model swapped in by an update that
 * fails on live input is rolled back, and the update is dead-lettered as FAILED_IN_SERVICE.
 *
 * @param <M> the served model
 */
public final class FollowedModel<M extends ServedModel<M>> {
    private static final Logger LOG = LoggerFactory.getLogger(FollowedModel.class);

    /** The serving model changed (or was first loaded): the operator sizes its workspaces for it. */
    interface Serve<M> {
        void serve(M model) throws Exception;
    }

    /** A swap changed the state's shape: every key's model-dependent state goes; returns how many keys had one. */
    interface ClearShapedState {
        long clear() throws Exception;
    }

    private final ModelSlot<M> slot;
    private final BroadcastState<String, byte[]> state;
    private final Serve<M> serve;
    private final ClearShapedState clearShapedState;
    private final ModelMetrics metrics;
    private final DeadLetterOutput deadLetters;
    /** Every subtask sees every update and refuses it alike: one of them reports it. */
    private final boolean reportsRefusals;
    /** The update that made the last swap, for its dead letter if it fails in service. */
    private RawRecord lastSwap;

    FollowedModel(ModelSlot<M> slot, BroadcastState<String, byte[]> state, Serve<M> serve,
                  ClearShapedState clearShapedState, ModelMetrics metrics, DeadLetterOutput deadLetters,
                  boolean reportsRefusals) {
        this.slot = slot;
        this.state = state;
        this.serve = serve;
        this.clearShapedState = clearShapedState;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.reportsRefusals = reportsRefusals;
    }

    /** The broadcast state named {@code name} (part of savepoints) that keeps the serving model. */
    static MapStateDescriptor<String, byte[]> descriptor(String name) {
        return new MapStateDescriptor<>(name, Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** Serves the restored model if there is one and it still serves, else the initial one. */
    void start(byte[] checkpoint, String modelId, long version) throws Exception {
        // With a trusted key, a restored model serves only if its signature (kept in the state) verifies.
        if (ServedModelRecord.restore(slot, state::get) != null) {
            LOG.info("restored serving model {}", slot.current());
        } else {
            remember(slot.open(checkpoint, modelId, version));
        }
        metrics.modelVersion = slot.current().version();
        serve.serve(slot.current());
    }

    /** The model serving now. */
    public M current() {
        return slot.current();
    }

    /** An update from the model-updates input: swapped in, refused (a dead letter) or ignored (the slot logs it). */
    void offer(RawRecord r) throws Exception {
        ModelSlot.Offer<M> offer = slot.offer(r.value);
        if (offer instanceof ModelSlot.Swapped<M> s) {
            lastSwap = r;
            swapped(s);
        } else if (offer instanceof ModelSlot.Refused<M> refused) {
            metrics.modelUpdatesRejected.inc();
            if (reportsRefusals) {
                deadLetters.send(r.topic, r.partition, r.offset, refused.reason(), refused.detail(), r.value);
            }
        }
    }

    /**
     * The serving model failed on live input ({@code why}): if it was swapped in by an update, the
     * model it replaced serves again and the update is dead-lettered as FAILED_IN_SERVICE.
     */
    public void failedInService(String why) throws Exception {
        ModelSlot.Swapped<M> back = slot.rollBack(why);
        if (back == null) {
            return;
        }
        RawRecord r = lastSwap;
        lastSwap = null;
        metrics.modelUpdatesRejected.inc();
        deadLetters.send(r == null ? "" : r.topic, r == null ? -1 : r.partition, r == null ? -1 : r.offset,
                RejectReason.FAILED_IN_SERVICE, "model " + back.old() + " failed on live input (" + why
                        + "); rolled back to " + back.next(), r == null ? new byte[0] : r.value);
        swapped(back);
    }

    private void swapped(ModelSlot.Swapped<M> s) throws Exception {
        remember(s.next());
        serve.serve(s.next());
        metrics.modelVersion = s.next().version();
        metrics.modelUpdatesApplied.inc();
        long cleared = 0;
        if (s.resetState()) {
            cleared = clearShapedState.clear();
            metrics.stateResets.inc(cleared);
        }
        LOG.info("model swapped: {} -> {}{}", s.old(), s.next(),
                s.resetState() ? "; state shape changed, " + cleared + " keys start afresh" : "");
    }

    private void remember(M m) throws Exception {
        ServedModelRecord.of(m, slot.currentSignature()).writeTo(state::put);
    }
}
