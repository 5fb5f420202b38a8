package io.streamnet.flink.training;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.flink.serving.ServingMetrics;
import io.streamnet.flink.serving.ServingOperator;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.EventJson;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.training.GradientSum;
import io.streamnet.training.HeldOutSet;
import io.streamnet.training.HeldOutSlice;
import io.streamnet.training.ModelOwner;
import io.streamnet.training.SequenceExamples;
import io.streamnet.training.TrainableModelKind;
import io.streamnet.training.WindowRounds;
import io.streamnet.training.WindowTrainer;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Online training on Flink. Many-to-one (a token MANY_TO_ONE model): input 1 (keyed by sequence key) carries labelled events,
 * input 2 (broadcast) the model updates the model owner published, so this operator always learns
 * on the newest model it was sent. A key's tokens since its sequence began are keyed state (the
 * last {@code maxSteps}); at its labelled end marker the sequence is queued, and every
 * {@code windowsPerGradient} queued sequences run as ONE batched forward/backward
 * ({@link SequenceExamples}), summed into a gradient shipped to the model owner with the version it
 * was computed on (and the owner that published it). Events of a key must come in increasing seq,
 * as in serving ({@link EventOrder}: a retried or replayed one is not learned twice). Held-out keys
 * (a keyed hash under the job's secret, kept in operator state) are never trained on: their sequences go to the owner to score
 * candidates. Before every checkpoint barrier, at a model swap and at end of input what is queued
 * runs and ships, so no learned-from event is lost or counted twice across a restore.
 *
 * <p>Many-to-many (a token MANY_TO_MANY model learns next-token prediction: each token's label is
 * the token after it; a feature MANY_TO_MANY model, such as the camera smoother over CNN features,
 * learns each StepEvent's own label): a key's TBPTT(k1, k2) window is keyed state ({@link WindowState}); a batch
 * runs in rounds, each feeding every key its tokens until its window is due (k1 new steps), then
 * ONE batched forward/backward over the due windows of all keys ({@link WindowTrainer}: equal to
 * rnn-core's TBPTT on the same stream), the hidden state carried on in the window. Held-out keys'
 * due windows go to the owner as examples instead. Windows not yet due stay in keyed state, so a
 * snapshot mid-window restores to the uninterrupted gradients.
 */
public final class TrainingOperator extends ServingOperator<SequenceEvent, ServedSequenceModel, TrainingMessage> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String TOKENS = "train-tokens";
    static final String MODEL_STATE = "training-model";
    static final String WINDOW = "train-window";
    static final String LAST_SEQ = "train-last-seq";
    static final String HELD_OUT_SECRET = "held-out-secret";

    private final TrainingOperatorConfig config;
    private transient ValueState<int[]> tokens;
    private transient ValueState<WindowState> windows;
    /** The seq of the last event learned from, per open key (only when the order is checked). */
    private transient ValueState<Long> lastSeq;
    /** Every subtask keeps the slice's secret; a restore (any parallelism) reads it back from the union. */
    private transient ListState<byte[]> secretState;
    private transient HeldOutSlice heldOut;
    /** Who published {@link #trainingVersion} (its checkpoint's owner), shipped with its gradients. */
    private transient String trainingOwner;
    /** Many-to-one: the queued labelled sequences; null for a many-to-many model. */
    private transient SequenceExamples examples;
    /** Many-to-many: the keys' TBPTT windows; null for a many-to-one model. */
    private transient WindowTrainer windowTrainer;
    private transient SequenceTrainer trainer;
    private transient WindowRounds rounds;
    private transient RoundSink roundSink;
    private transient GradientSum sum;
    /** The version {@link #examples} and {@link #sum} learn on (the slot already holds the next one at a swap). */
    private transient long trainingVersion;
    private transient ServingMetrics metrics;
    private transient Counter sequencesLearned;
    private transient Counter sequencesHeldOut;
    private transient Counter gradientsShipped;

    public TrainingOperator(byte[] checkpoint, String modelId, long version, TrainingOperatorConfig config) {
        super(checkpoint, modelId, version, new Settings(config.maxModelBytes(), MODEL_STATE, "train-unused",
                config.stateTtl(), config.batchSize(), config.batchMillis(), config.trustedKey()));
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        secretState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(HELD_OUT_SECRET,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        heldOut = config.heldOut();
        if (!config.heldOutSecretGiven()) {
            for (byte[] kept : secretState.get()) {
                heldOut = heldOut.withSecret(kept); // the first run's: the same keys stay held out
                break;
            }
        }
        secretState.update(List.of(heldOut.secret()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        lastSeq = config.order().enabled() ? expiringState(new ValueStateDescriptor<>(LAST_SEQ, Types.LONG)) : null;
        tokens = expiringState(new ValueStateDescriptor<>(TOKENS, PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
        windows = expiringState(new ValueStateDescriptor<>(WINDOW, TypeInformation.of(WindowState.class)));
    }

    @Override
    protected ModelSlot.Kind<ServedSequenceModel> modelKind() {
        return new TrainableModelKind();
    }

    @Override
    protected ServingMetrics createMetrics() {
        metrics = new ServingMetrics(getMetricGroup(), "eventsIn", "gradientMicros");
        sequencesLearned = getMetricGroup().counter("sequencesLearned");
        sequencesHeldOut = getMetricGroup().counter("sequencesHeldOut");
        gradientsShipped = getMetricGroup().counter("gradientsShipped");
        return metrics;
    }

    /** What was learned on the old model ships first, marked with its version; then the new one trains. */
    @Override
    protected void modelChanged(ServedSequenceModel serving) throws Exception {
        if (sum != null) {
            ship();
        }
        trainer = new SequenceTrainer(serving.model(), null, 0f,
                config.seed() + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask())
                .withEmbeddingDropout(config.embeddingDropout());
        boolean manyToOne = serving.model().config().outputType() == OutputType.MANY_TO_ONE;
        examples = manyToOne ? new SequenceExamples(serving.model(), trainer, config.maxSteps()) : null;
        windowTrainer = manyToOne ? null : new WindowTrainer(serving.model(), trainer, config.k1(), config.maxSteps());
        rounds = manyToOne ? null : new WindowRounds(windowTrainer, heldOut);
        roundSink = new RoundSink();
        sum = new GradientSum(serving.model().parameters());
        trainingVersion = serving.version();
        trainingOwner = Checkpoints.fromBytes(serving.checkpoint()).metadata().get(ModelOwner.META_OWNER);
    }

    @Override
    public void processElement1(StreamRecord<SequenceEvent> element) throws Exception {
        metrics.recordsIn.inc();
        buffer(element.getValue());
    }

    @Override
    protected void run(List<SequenceEvent> batch) throws Exception {
        metrics.batchSize.update(batch.size());
        long t0 = System.nanoTime();
        if (windowTrainer != null) {
            runWindows(batch);
        } else {
            runSequences(batch);
        }
        metrics.computeMicros.update((System.nanoTime() - t0) / 1000);
    }

    /** Many-to-one: each event's tokens into its key's state; labelled ends queued, run every N. */
    private void runSequences(List<SequenceEvent> batch) throws Exception {
        for (SequenceEvent e : batch) {
            setCurrentKey(e.key);
            try {
                learn(e);
            } catch (Rejected r) {
                deadLetter(e, r, EventJson.of(e));
            }
        }
        if (examples.pending() >= config.windowsPerGradient()) {
            ship();
        }
    }

    private void learn(SequenceEvent e) throws Exception {
        checkOrder(e);
        int[] so = tokens.value();
        if (e.hasSteps()) {
            SequenceInput in = SequenceInput.of(e, serving(), config.maxStepsPerEvent());
            int[] more = new int[in.steps()];
            for (int i = 0; i < more.length; i++) {
                more[i] = in.token(i);
            }
            so = examples.append(so, more);
        }
        if (!e.end) {
            if (so != null) {
                tokens.update(so);
            }
            stepped(e);
            return;
        }
        tokens.clear();
        stepped(e);
        if (e.label < 0 || so == null) {
            return; // an unlabelled sequence teaches nothing
        }
        if (e.label >= serving().model().config().outputSize()) {
            throw new Rejected(RejectReason.BAD_LABEL, "label " + e.label + " outside the model's "
                    + serving().model().config().outputSize() + " classes");
        }
        if (heldOut.holds(e.key)) {
            sequencesHeldOut.inc();
            emit(TrainingMessage.heldOut(so, new int[] {e.label}));
        } else {
            sequencesLearned.inc();
            examples.add(so, e.label, e.ingestTime);
        }
    }

    /** Many-to-many: the batch's events into {@link WindowRounds}, run, and the windows written back. */
    private void runWindows(List<SequenceEvent> batch) throws Exception {
        boolean features = !serving().model().config().tokenInput();
        int classes = serving().model().config().outputSize();
        for (SequenceEvent e : batch) {
            try {
                SequenceInput in = e.hasSteps() ? SequenceInput.of(e, serving(), config.maxStepsPerEvent()) : null;
                if (features && in != null && (e.label < 0 || e.label >= classes)) {
                    throw new Rejected(RejectReason.BAD_LABEL, "a many-to-many training step needs its label, one of "
                            + classes + " classes; got " + e.label);
                }
                setCurrentKey(e.key);
                checkOrder(e);
                stepped(e);
                WindowRounds.Key k = rounds.get(e.key);
                if (k == null) {
                    WindowState s = windows.value();
                    k = rounds.key(e.key, s == null ? null : s.window(e.key, windowTrainer.k2()),
                            s == null ? -1 : s.pending);
                }
                if (features && in != null) {
                    k.step(e.features, e.label, e.ingestTime);
                } else if (in != null) {
                    int[] ids = new int[in.steps()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = in.token(i);
                    }
                    k.tokens(ids, e.ingestTime);
                }
                if (e.end) {
                    k.end();
                }
            } catch (Rejected r) {
                deadLetter(e, r, EventJson.of(e));
            }
        }
        trainer.zeroGradients();
        rounds.run(roundSink);
        for (WindowRounds.Key k : rounds.keys()) {
            setCurrentKey(k.window().key());
            if (k.ended()) {
                windows.clear();
            } else {
                windows.update(WindowState.of(k.window(), k.pending()));
            }
        }
        rounds.clear();
    }

    /** Where the rounds report: held-out examples to the owner, learned windows into the sum. */
    private final class RoundSink implements WindowRounds.Sink {
        @Override
        public void heldOut(HeldOutSet.Example e) {
            sequencesHeldOut.inc();
            emit(TrainingMessage.heldOut(e));
        }

        @Override
        public void learned(int windowCount, double lossSum, long oldestMs, long newestMs) {
            sequencesLearned.inc(windowCount);
            sum.add(serving().model().parameters(), 1f, windowCount, lossSum, oldestMs, newestMs);
            trainer.zeroGradients();
            if (sum.windows() >= config.windowsPerGradient()) {
                ship();
            }
        }
    }

    /**
     * The serving rule for the current key ({@link EventOrder}): an event whose seq is not above the
     * last one learned from is DUPLICATE or OUT_OF_ORDER, so a retried or replayed event is not learned twice.
     */
    private void checkOrder(SequenceEvent e) throws Exception {
        if (lastSeq != null) {
            config.order().check(e.key, lastSeq.value(), e.seq);
        }
    }

    /** The current key's event is taken: its seq is the last, or forgotten when its sequence ends (it may start over). */
    private void stepped(SequenceEvent e) throws Exception {
        if (lastSeq == null) {
            return;
        }
        if (e.end) {
            lastSeq.clear();
        } else {
            lastSeq.update(e.seq);
        }
    }

    /** Runs what is queued and ships the sum, if there is one. */
    private void ship() {
        if (examples != null && examples.pending() > 0) {
            examples.run(sum);
        }
        if (sum.windows() > 0) {
            gradientsShipped.inc();
            TrainingMessage m = TrainingMessage.of(sum.take(trainingVersion));
            m.owner = trainingOwner;
            emit(m);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId); // runs the buffered events
        ship();
    }

    @Override
    public void endInput(int inputId) throws Exception {
        super.endInput(inputId);
        if (inputId == 1) {
            ship();
        }
    }

    @Override
    public void finish() throws Exception {
        flush();
        ship();
        super.finish();
    }
}
