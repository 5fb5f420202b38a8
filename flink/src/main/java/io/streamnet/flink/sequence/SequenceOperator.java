package io.streamnet.flink.sequence;

import io.streamnet.flink.serving.ServingOperator;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.batch.KeyRounds;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.EventJson;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.sequence.SequenceModelKind;
import io.streamnet.serving.sequence.SequenceStepper;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Per-key sequence-model inference on Flink, mini-batched across keys, with models swapped while
 * running: the keyed state, timers and output of the serving core's rules. Input 1 (keyed by
 * sequence key) carries decoded events, batched as {@link ServingOperator} describes; each batch
 * runs in {@link KeyRounds} of distinct keys, each round ONE batched step of the
 * {@link SequenceStepper} (states gathered from keyed state, scattered back). State is a float[]
 * per key, cleared at the end of a sequence, after a session gap ({@link SessionGaps}) or by TTL.
 * A model this output mode cannot use, or one that reads the other input kind, is refused as
 * INCOMPATIBLE.
 */
public final class SequenceOperator extends ServingOperator<SequenceEvent, ServedSequenceModel, Prediction>
        implements Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String STATE = "rnn-state";
    static final String MODEL_STATE = "serving-model";
    static final String LAST_SEQ = "rnn-last-seq";

    private final SequenceOperatorConfig config;

    private transient ValueState<float[]> state;
    /** The seq of the last event stepped, per open key (only when the order is checked). */
    private transient ValueState<Long> lastSeq;
    private transient EventOrder order;
    private transient SessionGaps gaps;
    private transient SequenceStepper stepper;
    private transient KeyRounds<SequenceInput> rounds;
    /** {@link #closeWithoutStep}, made once: a method reference per round would allocate. */
    private transient Consumer<SequenceInput> closeWithoutStep;
    private transient SequenceOperatorMetrics metrics;
    /** Per round row: the key had no state before this step (a round holds at most one row per event of a batch). */
    private transient boolean[] fresh;

    /**
     * @param checkpoint the model to serve until an update arrives (a restored job serves what it
     *                   served when checkpointed instead)
     * @param modelId    the model id this operator serves; updates for other ids are not for it
     * @param version    the initial model's version; updates must be newer
     */
    public SequenceOperator(byte[] checkpoint, String modelId, long version, SequenceOperatorConfig config) {
        super(checkpoint, modelId, version, new Settings(config.maxModelBytes(), MODEL_STATE, STATE, config.stateTtl(),
                config.batchSize(), config.batchMillis(), config.trustedKey()));
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        state = keyState();
        order = config.order();
        lastSeq = order.enabled() ? expiringState(new ValueStateDescriptor<>(LAST_SEQ, Types.LONG)) : null;
        gaps = new SessionGaps(getPartitionedState(SessionGaps.descriptor()),
                getInternalTimerService(SessionGaps.TIMERS, VoidNamespaceSerializer.INSTANCE, this), config.sessionGap());
        fresh = new boolean[config.batchSize()];
        rounds = new KeyRounds<>(SequenceInput::steps, config.batchSize());
        closeWithoutStep = this::closeWithoutStep;
        try (Stream<Object> keys = getKeyedStateBackend().getKeys(STATE, VoidNamespace.INSTANCE)) {
            metrics.keysWithState = keys.count(); // once: a restore brings keys; walking them per checkpoint costs too much
        }
    }

    @Override
    protected ModelSlot.Kind<ServedSequenceModel> modelKind() {
        return new SequenceModelKind(config.mode(), config.forecastSteps());
    }

    @Override
    protected SequenceOperatorMetrics createMetrics() {
        metrics = new SequenceOperatorMetrics(getMetricGroup());
        return metrics;
    }

    @Override
    protected void modelChanged(ServedSequenceModel serving) {
        released(); // what the old model's rounds held on a device goes with it
        stepper = SequenceStepper.placed(serving, config.mode(), config.forecastSteps(), config.batchSize());
    }

    @Override
    protected void released() {
        if (stepper != null) {
            stepper.close();
        }
    }

    @Override
    protected void stateCleared() {
        metrics.keysWithState = 0;
    }

    @Override
    public void processElement1(StreamRecord<SequenceEvent> element) throws Exception {
        metrics.recordsIn.inc();
        buffer(element.getValue());
    }

    /** Checks every event against the serving model, then runs the rounds. */
    @Override
    protected void run(List<SequenceEvent> batch) throws Exception {
        metrics.batchSize.update(batch.size());
        for (SequenceEvent e : batch) {
            try {
                rounds.add(e.key, SequenceInput.of(e, serving(), config.maxStepsPerEvent()));
            } catch (Rejected r) {
                reject(e, r);
            }
        }
        for (KeyRounds.Round<SequenceInput> round; (round = rounds.next(closeWithoutStep)) != null; ) {
            step(round);
        }
    }

    /**
     * One batched step for the keys of {@code round}: gather, step, scatter, emit. An event refused
     * on its first step (DUPLICATE, OUT_OF_ORDER) or failed by the model (MODEL_ERROR: only the rows
     * the model fails on, see {@link SequenceStepper#run}) is dead-lettered and its remaining steps
     * skipped; its key's state stays as it was. A failure of a model swapped in since the last one
     * that served rolls it back (FAILED_IN_SERVICE), after this round.
     */
    private void step(KeyRounds.Round<SequenceInput> round) throws Exception {
        int rows = round.size();
        for (int i = 0; i < rows; i++) {
            SequenceInput in = round.item(i);
            setCurrentKey(in.event.key);
            if (!in.dropped() && round.step(i) == 0 && !inOrder(in)) {
                in.drop();
            }
            float[] s = in.dropped() ? null : state.value();
            fresh[i] = s == null;
            if (stepper.loadState(i, s)) {
                metrics.stateResets.inc(); // written under a model of another shape (a restore across a swap)
            }
            stepper.loadInput(i, in, round.step(i));
        }
        long t0 = System.nanoTime();
        int failed = stepper.run(rows);
        metrics.computeMicros.update((System.nanoTime() - t0) / 1000);
        String firstFailure = null;
        for (int i = 0; i < rows; i++) {
            SequenceInput in = round.item(i);
            if (in.dropped()) {
                continue;
            }
            SequenceEvent e = in.event;
            setCurrentKey(e.key);
            if (failed > 0 && stepper.failure(i) != null) {
                firstFailure = firstFailure != null ? firstFailure : stepper.failure(i);
                modelFailed(in, stepper.failure(i));
                continue;
            }
            boolean last = round.last(i);
            Prediction p = null;
            if (last) {
                try {
                    p = stepper.completed(i, e);
                } catch (RuntimeException ex) {
                    firstFailure = firstFailure != null ? firstFailure : ex.toString();
                    modelFailed(in, "the model failed on the prediction: " + ex);
                    continue;
                }
            }
            if (last && e.end) {
                closeKey();
            } else {
                state.update(stepper.state(i));
                if (fresh[i]) {
                    metrics.keysWithState++;
                    fresh[i] = false;
                }
            }
            if (last) {
                if (order.enabled() && !e.end) {
                    lastSeq.update(e.seq);
                }
                if (p != null) {
                    emit(p);
                }
                if (!e.end) {
                    gaps.arm(e);
                }
            }
        }
        if (firstFailure != null) {
            failedInService(firstFailure);
        }
    }

    /** Whether the current key's event comes after the last one stepped; else it is dead-lettered. */
    private boolean inOrder(SequenceInput in) throws Exception {
        if (!order.enabled()) {
            return true;
        }
        try {
            order.check(in.event.key, lastSeq.value(), in.event.seq);
            return true;
        } catch (Rejected r) {
            reject(in.event, r);
            return false;
        }
    }

    private void modelFailed(SequenceInput in, String why) {
        in.drop();
        reject(in.event, new Rejected(RejectReason.MODEL_ERROR, "model " + serving() + ": " + why));
    }

    /** An end marker that carries no input: the prediction is made from the key's state as it is. */
    private void closeWithoutStep(SequenceInput in) {
        SequenceEvent e = in.event;
        setCurrentKey(e.key);
        try {
            if (!inOrder(in)) {
                return; // a replayed end marker must not close the key's next sequence
            }
            Prediction p = stepper.closeWithoutStep(e, state.value());
            if (p != null) {
                emit(p);
            }
        } catch (Rejected r) {
            reject(e, r);
        } catch (RuntimeException ex) {
            reject(e, new Rejected(RejectReason.MODEL_ERROR, "model " + serving() + " failed closing the sequence: " + ex));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        closeKeyUnchecked();
    }

    private void reject(SequenceEvent e, Rejected r) {
        deadLetter(e, r, EventJson.of(e));
    }

    private void closeKeyUnchecked() {
        try {
            closeKey();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The current key's sequence is over: its state and gap timer go. */
    private void closeKey() throws Exception {
        if (state.value() != null) {
            metrics.keysWithState = Math.max(0, metrics.keysWithState - 1);
        }
        state.clear();
        if (order.enabled()) {
            lastSeq.clear();
        }
        gaps.disarm();
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flush(); // events of this key may sit in the batch: they count as activity
        setCurrentKey(timer.getKey());
        SequenceEvent last = gaps.expired(timer);
        if (last == null) {
            return;
        }
        Prediction p = stepper.sessionClosed(last, state.value());
        if (p != null) {
            emit(p);
        }
        closeKey();
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // session gaps run on processing time
    }
}
