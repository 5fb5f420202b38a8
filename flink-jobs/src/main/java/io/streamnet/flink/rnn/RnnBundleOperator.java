package io.streamnet.flink.rnn;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.model.ModelRejectedException;
import io.streamnet.flink.model.ModelUpdates;
import io.streamnet.flink.model.ServingModel;
import io.streamnet.flink.model.ServingOperator;
import io.streamnet.flink.sequence.DeadLetters;
import io.streamnet.flink.sequence.SequenceEvent;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.PredictionKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key RNN inference, mini-batched across keys, with models swapped while running.
 *
 * <p>Input 1 (keyed by sequence key) carries decoded events. They are buffered until
 * {@code bundleSize} of them or {@code bundleMillis} have passed; then every key with a pending step
 * takes it in ONE batched computation (states gathered from keyed state into a [B, state] batch and
 * scattered back). A key with two steps pending takes two rounds, so per-key order holds. The
 * bundle is flushed on its trigger, on watermarks, before every checkpoint barrier and at end of
 * input, so nothing buffered is lost or checkpointed half-done. State is a float[] per key (Flink's
 * primitive-array serializer, not Kryo), cleared at the end of a sequence, after a session gap, or
 * by TTL.
 *
 * <p>Input 2 (broadcast) carries {@link ModelUpdate} records, applied between bundles as
 * {@link ServingOperator} describes; a model this output mode cannot use, or one that reads the
 * other input kind (text vs feature vectors), is rejected as INCOMPATIBLE.
 */
public final class RnnBundleOperator extends ServingOperator<SequenceEvent, ServingModel>
        implements Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RnnBundleOperator.class);

    /** Most steps one event may carry (a text of this many tokens). */
    static final int MAX_STEPS_PER_EVENT = 10_000;

    private final RnnOperatorConfig config;

    private transient ValueState<float[]> state;
    /** Per key, while a session-gap timer is armed: {deadline, last seq, last event time, label}. */
    private transient ValueState<long[]> session;
    private transient InternalTimerService<VoidNamespace> gapTimers;
    private transient List<SequenceEvent> buffer;
    private transient StateBatch batch;
    private transient Tensor features;
    private transient int[] tokens;
    private transient float[] scratch;
    /** Per batch row: the key had no state before this step. */
    private transient boolean[] fresh;
    private transient boolean bundleTimerSet;
    private transient RnnOperatorMetrics metrics;
    private transient ValueStateDescriptor<float[]> stateDescriptor;

    /**
     * @param checkpoint the model to serve until an update arrives (a restored job serves what it
     *                   served when checkpointed instead)
     * @param modelId    the model id this operator serves; updates for other ids are not for it
     * @param version    the initial model's version; updates must be newer
     */
    public RnnBundleOperator(byte[] checkpoint, String modelId, long version, RnnOperatorConfig config) {
        super(checkpoint, modelId, version, config.maxModelBytes(), "serving-model");
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        stateDescriptor = floatState("rnn-state", config.stateTtl());
        state = getPartitionedState(stateDescriptor);
        session = getPartitionedState(new ValueStateDescriptor<>("rnn-session",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        gapTimers = getInternalTimerService("session-gap", VoidNamespaceSerializer.INSTANCE, this);
        buffer = new ArrayList<>(config.bundleSize());
        allocateWorkspace();
        countKeys();
    }

    @Override
    protected ServingModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return ServingModel.load(Backends.get(), checkpoint, modelId, version);
    }

    @Override
    protected ServingModel validate(ModelUpdate u) throws ModelRejectedException {
        return ModelUpdates.validate(Backends.get(), u);
    }

    @Override
    protected String incompatibility(ServingModel m) {
        String why = config.mode().incompatibility(m.model());
        if (why == null && serving != null && m.model().config().tokenInput() != serving.model().config().tokenInput()) {
            why = "the job reads " + (serving.model().config().tokenInput() ? "text" : "feature vectors")
                    + ", the update is a " + (m.model().config().tokenInput() ? "token" : "feature") + " model";
        }
        return why;
    }

    @Override
    protected boolean sameStateShape(ServingModel old, ServingModel next) {
        return next.sameStateShape(old);
    }

    @Override
    protected ValueStateDescriptor<float[]> modelDependentState() {
        return stateDescriptor;
    }

    @Override
    protected RnnOperatorMetrics createMetrics() {
        metrics = new RnnOperatorMetrics(getMetricGroup());
        return metrics;
    }

    @Override
    protected void modelChanged() {
        allocateWorkspace();
    }

    @Override
    protected void stateCleared() {
        metrics.keysWithState = 0;
    }

    private void allocateWorkspace() {
        SequenceModel m = serving.model();
        batch = m.newStateBatch(config.bundleSize());
        features = m.config().tokenInput() ? null : Tensor.zeros(config.bundleSize(), m.config().inputSize());
        tokens = new int[config.bundleSize()];
        scratch = new float[m.stateLayout().size()];
        fresh = new boolean[config.bundleSize()];
    }

    // ---- input 1: events ----

    @Override
    public void processElement1(StreamRecord<SequenceEvent> element) throws Exception {
        metrics.eventsIn.inc();
        buffer.add(element.getValue());
        if (buffer.size() >= config.bundleSize() || config.bundleMillis() == 0) {
            flush();
        } else if (!bundleTimerSet) {
            bundleTimerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + config.bundleMillis(), t -> flush());
        }
    }

    /** Runs the buffered events in rounds of distinct keys, each round one batched step. */
    @Override
    protected void flush() throws Exception {
        bundleTimerSet = false;
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        metrics.bundleSize.update(buffer.size());
        Map<String, ArrayDeque<Pending>> byKey = new LinkedHashMap<>(buffer.size() * 2);
        for (SequenceEvent e : buffer) {
            Pending p = pending(e);
            if (p != null) {
                byKey.computeIfAbsent(e.key, k -> new ArrayDeque<>()).add(p);
            }
        }
        buffer.clear();
        List<Pending> round = new ArrayList<>(config.bundleSize());
        while (!byKey.isEmpty()) {
            round.clear();
            for (Iterator<ArrayDeque<Pending>> it = byKey.values().iterator(); it.hasNext(); ) {
                ArrayDeque<Pending> q = it.next();
                while (!q.isEmpty() && q.peek().steps() == 0) {
                    closeWithoutStep(q.poll()); // an end marker with no input of its own
                }
                if (q.isEmpty()) {
                    it.remove();
                } else {
                    round.add(q.peek());
                }
            }
            if (!round.isEmpty()) {
                step(round);
            }
            for (Iterator<ArrayDeque<Pending>> it = byKey.values().iterator(); it.hasNext(); ) {
                ArrayDeque<Pending> q = it.next();
                if (!q.isEmpty() && q.peek().done()) {
                    q.poll();
                }
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    /** An event with its input steps resolved against the serving model. */
    private static final class Pending {
        final SequenceEvent event;
        final int[] ids;
        int next;

        Pending(SequenceEvent event, int[] ids) {
            this.event = event;
            this.ids = ids;
        }

        int steps() {
            return ids != null ? ids.length : event.features != null ? 1 : 0;
        }

        boolean done() {
            return next >= steps();
        }
    }

    /** Checks an event against the serving model; null (and a dead letter) when it cannot be used. */
    private Pending pending(SequenceEvent e) {
        ModelConfig c = serving.model().config();
        if (c.tokenInput()) {
            if (e.features != null) {
                return reject(e, "WRONG_INPUT", "feature vector sent to a token model");
            }
            int[] ids;
            if (e.tokenIds != null && e.tokenIds.length > 0) {
                for (int id : e.tokenIds) {
                    if (id < 0 || id >= c.vocabSize()) {
                        return reject(e, "BAD_TOKEN", "token id " + id + " outside the vocabulary of " + c.vocabSize());
                    }
                }
                ids = e.tokenIds;
            } else if (e.text != null && !e.text.isBlank()) {
                ids = serving.vocabulary().encode(e.text);
            } else {
                ids = new int[0];
            }
            if (ids.length == 0 && !e.end) {
                return reject(e, "EMPTY_TEXT", "event of key " + e.key + " has no tokens");
            }
            if (ids.length > MAX_STEPS_PER_EVENT) {
                return reject(e, "OVERSIZED", ids.length + " tokens in one event, limit " + MAX_STEPS_PER_EVENT);
            }
            return new Pending(e, ids);
        }
        if (e.features == null) {
            if (e.end && !e.hasSteps()) {
                return new Pending(e, null);
            }
            return reject(e, "WRONG_INPUT", "text sent to a feature model");
        }
        if (e.features.length != c.inputSize()) {
            return reject(e, "WRONG_DIMENSION", e.features.length + " features, the model reads " + c.inputSize());
        }
        return new Pending(e, null);
    }

    private Pending reject(SequenceEvent e, String reason, String detail) {
        deadLetter(DeadLetters.of(e.sourceTopic, e.sourcePartition, e.sourceOffset, reason, detail + " (model "
                + serving + ")", EventJson.of(e)));
        return null;
    }

    /** One batched step for the keys of {@code round} (distinct keys, one step each). */
    private void step(List<Pending> round) throws Exception {
        int rows = round.size();
        for (int i = 0; i < rows; i++) {
            Pending p = round.get(i);
            setCurrentKey(p.event.key);
            float[] s = state.value();
            fresh[i] = s == null;
            batch.load(i, usable(s));
            if (features != null) {
                System.arraycopy(p.event.features, 0, features.data(), i * features.cols(), features.cols());
            } else {
                tokens[i] = p.ids[p.next];
            }
        }
        long t0 = System.nanoTime();
        serving.model().stepBatch(batch, rows, tokens, features);
        metrics.stepMicros.update((System.nanoTime() - t0) / 1000);
        for (int i = 0; i < rows; i++) {
            Pending p = round.get(i);
            p.next++;
            setCurrentKey(p.event.key);
            if (!(p.done() && p.event.end)) {
                batch.saveInto(i, scratch);
                state.update(scratch.clone()); // the heap backend keeps the array: a fresh one per key
                if (fresh[i]) {
                    metrics.keysWithState++;
                    fresh[i] = false;
                }
            }
            if (p.done()) {
                completed(p.event, i);
            }
        }
    }

    /** A key's stored state if the serving model can read it, else the initial state. */
    private float[] usable(float[] s) {
        if (s == null) {
            return serving.model().initialState().values();
        }
        if (s.length != serving.model().stateLayout().size()) {
            // Written under a model of another shape (a restore across a swap): start afresh.
            metrics.stateResets.inc();
            return serving.model().initialState().values();
        }
        return s;
    }

    /** The event's last step ran; batch row {@code row} holds the key's new state and output. */
    private void completed(SequenceEvent e, int row) throws Exception {
        float[] out = batch.output(row).toArray();
        switch (config.mode()) {
            case MANY_TO_MANY -> emit(e, PredictionKind.MANY_TO_MANY, out, null);
            case ROLLING -> emit(e, e.end ? PredictionKind.MANY_TO_ONE : PredictionKind.ROLLING, out, null);
            case MANY_TO_ONE -> {
                if (e.end) {
                    emit(e, PredictionKind.MANY_TO_ONE, out, null);
                }
            }
            case FORECAST -> {
                if (e.end) {
                    emit(e, PredictionKind.FORECAST, out, forecast(batch.save(row), e.features, out));
                }
            }
        }
        if (e.end) {
            closeKey();
        } else {
            armGap(e);
        }
    }

    /** An end marker that carries no input: the prediction is made from the key's state as it is. */
    private void closeWithoutStep(Pending p) throws Exception {
        SequenceEvent e = p.event;
        setCurrentKey(e.key);
        float[] s = state.value();
        if (s == null || s.length != serving.model().stateLayout().size()) {
            deadLetter(DeadLetters.of(e.sourceTopic, e.sourcePartition, e.sourceOffset, "NO_OPEN_SEQUENCE",
                    "end marker for key " + e.key + ", which has no open sequence", EventJson.of(e)));
            closeKey();
            return;
        }
        float[] out = headOf(s);
        switch (config.mode()) {
            case MANY_TO_ONE, ROLLING -> emit(e, PredictionKind.MANY_TO_ONE, out, null);
            case FORECAST -> emit(e, PredictionKind.FORECAST, out,
                    forecast(new RnnState(serving.model().stateLayout(), s.clone()), null, out));
            case MANY_TO_MANY -> {
                // a per-step model has nothing to add at the end: the marker only closes the sequence
            }
        }
        closeKey();
    }

    /** The model's output for a stored state: the head applied to the last layer's h. */
    private float[] headOf(float[] s) {
        batch.load(0, s);
        SequenceModel m = serving.model();
        m.head(batch.h(m.encoder().size() - 1).slice(0, 1), batch.outputBuffer().slice(0, 1));
        return batch.output(0).toArray();
    }

    /**
     * FORECAST values (steps x outputSize, flattened): a SEQ2SEQ model's decoder runs from the
     * encoder state, reading the last input first; other models' last output is the next value,
     * and each generated value is fed back for the ones after it.
     */
    private float[] forecast(RnnState s, float[] lastInput, float[] lastOutput) {
        SequenceModel m = serving.model();
        int n = config.forecastSteps();
        float[][] steps;
        if (m.config().outputType() == OutputType.SEQ2SEQ) {
            float[] first = lastInput != null ? lastInput : new float[m.decoder().get(0).inputSize()];
            steps = m.generate(s, first, n);
        } else {
            steps = new float[n][];
            steps[0] = lastOutput;
            if (n > 1) {
                System.arraycopy(m.generate(s, lastOutput, n - 1), 0, steps, 1, n - 1);
            }
        }
        int w = steps[0].length;
        float[] flat = new float[n * w];
        for (int t = 0; t < n; t++) {
            System.arraycopy(steps[t], 0, flat, t * w, w);
        }
        return flat;
    }

    // ---- session gap ----

    private void armGap(SequenceEvent e) throws Exception {
        if (config.sessionGap() == null) {
            return;
        }
        long[] s = session.value();
        if (s != null) {
            gapTimers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, s[0]);
        }
        long deadline = getProcessingTimeService().getCurrentProcessingTime() + config.sessionGap().toMillis();
        gapTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, deadline);
        session.update(new long[] {deadline, e.seq, e.eventTime, e.label});
    }

    private void closeKey() throws Exception {
        if (state.value() != null) {
            metrics.keysWithState = Math.max(0, metrics.keysWithState - 1);
        }
        state.clear();
        long[] s = session.value();
        if (s != null) {
            gapTimers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, s[0]);
            session.clear();
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flush(); // events of this key may sit in the bundle: they count as activity
        setCurrentKey(timer.getKey());
        long[] s = session.value();
        if (s == null || s[0] != timer.getTimestamp()) {
            return;
        }
        float[] st = state.value();
        if (st != null && st.length == serving.model().stateLayout().size()
                && (config.mode() == OutputMode.MANY_TO_ONE || config.mode() == OutputMode.ROLLING)) {
            SequenceEvent last = new SequenceEvent();
            last.key = timer.getKey();
            last.seq = s[1];
            last.eventTime = s[2];
            last.label = (int) s[3];
            last.ingestTime = s[0];
            emit(last, PredictionKind.MANY_TO_ONE, headOf(st), null);
        }
        closeKey();
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // session gaps run on processing time
    }

    // ---- output ----

    private void emit(SequenceEvent e, PredictionKind kind, float[] out, float[] forecast) {
        long now = System.currentTimeMillis();
        long latency = e.ingestTime > 0 ? now - e.ingestTime : 0;
        metrics.latencyMs.update(Math.max(0, latency));
        metrics.predictionsOut.inc();
        output.collect(new StreamRecord<>(Predictions.of(e.key, e.seq, kind, serving.model().config().task(), out,
                forecast, serving.modelId(), serving.version(), e.eventTime, latency, e.label)));
    }

    /** Once at start (a restore brings keys): walking every key per checkpoint costs too much. */
    private void countKeys() throws Exception {
        try (Stream<Object> keys = getKeyedStateBackend().getKeys("rnn-state", VoidNamespace.INSTANCE)) {
            metrics.keysWithState = keys.count();
        }
    }
}
