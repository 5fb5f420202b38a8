package io.streamnet.flink.sequence;

import io.streamnet.flink.operator.ModelFollowingOperator;
import io.streamnet.flink.operator.PredictionOutput;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.EventJson;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceLifecycle;
import io.streamnet.serving.sequence.SequenceModelKind;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Per-key sequence-model inference on Flink, mini-batched across keys, with models swapped while
 * running: the Flink side of the serving core's {@link SequenceLifecycle}, whose rules decide what
 * each event does. Input 1 (keyed by sequence key) carries decoded events, batched as
 * {@link ModelFollowingOperator} describes; the lifecycle runs each batch in rounds of distinct keys
 * over this operator's keyed state: a float[] per key, its last seq when the order is checked, and
 * the session-gap timer of {@link SessionGaps}; idle keys' state expires with the TTL. A model this
 * output mode cannot use, or one that reads the other input kind, is refused as INCOMPATIBLE.
 */
public final class SequenceOperator extends ModelFollowingOperator<SequenceEvent, ServedSequenceModel, Prediction>
        implements Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String STATE = "rnn-state";
    static final String MODEL_STATE = "serving-model";
    static final String LAST_SEQ = "rnn-last-seq";

    private final SequenceOperatorConfig config;

    private transient SessionGaps gaps;
    private transient SequenceLifecycle lifecycle;
    private transient SequenceOperatorMetrics metrics;
    private transient PredictionOutput predictions;

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
        metrics = new SequenceOperatorMetrics(getMetricGroup());
        predictions = new PredictionOutput(output, getMetricGroup());
        SequenceKeyState keys = new SequenceKeyState(this::setCurrentKey, metrics);
        lifecycle = new SequenceLifecycle(new SequenceLifecycle.Settings(config.mode(), config.forecastSteps(),
                config.order(), config.maxStepsPerEvent(), config.batchSize()), keys, new Outcomes());
        super.open(); // serves the first model: modelChanged
        keys.bind(keyState(),
                config.order().enabled() ? expiringState(new ValueStateDescriptor<>(LAST_SEQ, Types.LONG)) : null);
        gaps = new SessionGaps(getPartitionedState(SessionGaps.descriptor()),
                getInternalTimerService(SessionGaps.TIMERS, VoidNamespaceSerializer.INSTANCE, this), config.sessionGap());
        try (Stream<Object> stored = getKeyedStateBackend().getKeys(STATE, VoidNamespace.INSTANCE)) {
            metrics.keysWithState = stored.count(); // once: a restore brings keys; walking them per checkpoint costs too much
        }
    }

    @Override
    protected ModelSlot.Kind<ServedSequenceModel> modelKind() {
        return new SequenceModelKind(config.mode(), config.forecastSteps());
    }

    @Override
    protected void modelChanged(ServedSequenceModel serving) {
        lifecycle.serve(serving);
    }

    @Override
    protected void released() {
        if (lifecycle != null) {
            lifecycle.close();
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

    @Override
    protected void run(List<SequenceEvent> batch) {
        metrics.batchSize.update(batch.size());
        lifecycle.run(batch);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flush(); // events of this key may sit in the batch: they count as activity
        setCurrentKey(timer.getKey());
        SequenceEvent last = gaps.expired(timer);
        if (last != null) {
            lifecycle.sessionGap(last);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // session gaps run on processing time
    }

    /** What the lifecycle decided, on this operator's outputs, timers and metrics. */
    private final class Outcomes implements SequenceLifecycle.Outcomes {
        @Override
        public void emit(Prediction p) {
            predictions.emit(p);
        }

        @Override
        public void deadLetter(SequenceEvent e, Rejected why) {
            deadLetters().send(e, why, EventJson.of(e));
        }

        @Override
        public void closed(String key) {
            setCurrentKey(key);
            gaps.disarm();
        }

        @Override
        public void armGap(SequenceEvent last) {
            setCurrentKey(last.key);
            gaps.arm(last);
        }

        @Override
        public void failedInService(String why) {
            try {
                SequenceOperator.this.failedInService(why);
            } catch (Exception e) {
                throw new IllegalStateException("rolling back after a model failure: " + e, e);
            }
        }

        @Override
        public void opened(String key) {
            metrics.keysWithState++;
        }

        @Override
        public void stateReset() {
            modelMetrics().stateResets.inc(); // written under a model of another shape (a restore across a swap)
        }

        @Override
        public void stepped(int rows, long nanos) {
            metrics.computeMicros.update(nanos / 1000);
        }
    }
}
