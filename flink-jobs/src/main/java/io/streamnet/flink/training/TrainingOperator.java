package io.streamnet.flink.training;

import io.streamnet.flink.serving.ServingMetrics;
import io.streamnet.flink.serving.ServingOperator;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.EventJson;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.serving.training.GradientSum;
import io.streamnet.serving.training.KeyWindow;
import io.streamnet.serving.training.WindowTrainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import io.streamnet.serving.training.SequenceExamples;
import io.streamnet.serving.training.TrainableModelKind;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Online training on Flink. Many-to-one (a token MANY_TO_ONE model): input 1 (keyed by sequence key) carries labelled events,
 * input 2 (broadcast) the model updates the model owner published, so this operator always learns
 * on the newest model it was sent. A key's tokens since its sequence began are keyed state (the
 * last {@code maxSteps}); at its labelled end marker the sequence is queued, and every
 * {@code windowsPerGradient} queued sequences run as ONE batched forward/backward
 * ({@link SequenceExamples}), summed into a gradient shipped to the model owner with the version it
 * was computed on. Held-out keys are never trained on: their sequences go to the owner to score
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

    private final TrainingOperatorConfig config;
    private transient ValueState<int[]> tokens;
    private transient ValueState<WindowState> windows;
    /** Many-to-one: the queued labelled sequences; null for a many-to-many model. */
    private transient SequenceExamples examples;
    /** Many-to-many: the keys' TBPTT windows; null for a many-to-one model. */
    private transient WindowTrainer windowTrainer;
    private transient SequenceTrainer trainer;
    private transient GradientSum sum;
    /** The version {@link #examples} and {@link #sum} learn on (the slot already holds the next one at a swap). */
    private transient long trainingVersion;
    private transient Counter sequencesLearned;
    private transient Counter sequencesHeldOut;
    private transient Counter gradientsShipped;

    public TrainingOperator(byte[] checkpoint, String modelId, long version, TrainingOperatorConfig config) {
        super(checkpoint, modelId, version, new Settings(config.maxModelBytes(), MODEL_STATE, "train-unused",
                config.stateTtl(), config.batchSize(), config.batchMillis(), config.trustedKey()));
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        tokens = expiringState(new ValueStateDescriptor<>(TOKENS, PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
        windows = expiringState(new ValueStateDescriptor<>(WINDOW, TypeInformation.of(WindowState.class)));
    }

    @Override
    protected ModelSlot.Kind<ServedSequenceModel> modelKind() {
        return new TrainableModelKind();
    }

    @Override
    protected ServingMetrics createMetrics() {
        ServingMetrics m = new ServingMetrics(getMetricGroup(), "eventsIn", "gradientMicros");
        sequencesLearned = getMetricGroup().counter("sequencesLearned");
        sequencesHeldOut = getMetricGroup().counter("sequencesHeldOut");
        gradientsShipped = getMetricGroup().counter("gradientsShipped");
        return m;
    }

    /** What was learned on the old model ships first, marked with its version; then the new one trains. */
    @Override
    protected void modelChanged(ServedSequenceModel serving) {
        if (sum != null) {
            ship();
        }
        trainer = new SequenceTrainer(serving.model(), null, 0f,
                config.seed() + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask())
                .withEmbeddingDropout(config.embeddingDropout());
        boolean manyToOne = serving.model().config().outputType() == OutputType.MANY_TO_ONE;
        examples = manyToOne ? new SequenceExamples(serving.model(), trainer, config.maxSteps()) : null;
        windowTrainer = manyToOne ? null : new WindowTrainer(serving.model(), trainer, config.k1(), config.maxSteps());
        sum = new GradientSum(serving.model().parameters());
        trainingVersion = serving.version();
    }

    @Override
    public void processElement1(StreamRecord<SequenceEvent> element) throws Exception {
        buffer(element.getValue());
    }

    @Override
    protected void run(List<SequenceEvent> batch) throws Exception {
        if (windowTrainer != null) {
            runWindows(batch);
            return;
        }
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
            return;
        }
        tokens.clear();
        if (e.label < 0 || so == null) {
            return; // an unlabelled sequence teaches nothing
        }
        if (e.label >= serving().model().config().outputSize()) {
            throw new Rejected(RejectReason.BAD_LABEL, "label " + e.label + " outside the model's "
                    + serving().model().config().outputSize() + " classes");
        }
        if (config.heldOut().holds(e.key)) {
            sequencesHeldOut.inc();
            emit(TrainingMessage.heldOut(so, new int[] {e.label}));
        } else {
            sequencesLearned.inc();
            examples.add(so, e.label, e.ingestTime);
        }
    }

    /** A key's tokens of this batch, its window and where its tokens are read up to. */
    private static final class KeyWork {
        final String key;
        final List<int[]> parts = new ArrayList<>();
        /** A feature model's steps and their labels. */
        final List<float[]> steps = new ArrayList<>();
        final List<Integer> stepLabels = new ArrayList<>();
        int step;
        KeyWindow window;
        int pending;
        int part;
        int at;
        long newestMs;
        boolean end;

        KeyWork(String key) {
            this.key = key;
        }

        boolean hasNext() {
            while (part < parts.size() && at >= parts.get(part).length) {
                part++;
                at = 0;
            }
            return part < parts.size();
        }

        int next() {
            return parts.get(part)[at++];
        }
    }

    /** Many-to-many: rounds of due windows batched across keys (see the class comment). */
    private void runWindows(List<SequenceEvent> batch) throws Exception {
        Map<String, KeyWork> work = new LinkedHashMap<>();
        for (SequenceEvent e : batch) {
            try {
                int[] ids = new int[0];
                SequenceInput in = e.hasSteps() ? SequenceInput.of(e, serving(), config.maxStepsPerEvent()) : null;
                boolean features = !serving().model().config().tokenInput();
                if (features && in != null && (e.label < 0 || e.label >= serving().model().config().outputSize())) {
                    throw new Rejected(RejectReason.BAD_LABEL, "a many-to-many training step needs its label, one of "
                            + serving().model().config().outputSize() + " classes; got " + e.label);
                }
                if (!features && in != null) {
                    ids = new int[in.steps()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = in.token(i);
                    }
                }
                KeyWork k = work.computeIfAbsent(e.key, KeyWork::new);
                k.parts.add(ids);
                if (features && in != null) {
                    k.steps.add(e.features);
                    k.stepLabels.add(e.label);
                }
                k.newestMs = Math.max(k.newestMs, e.ingestTime);
                k.end |= e.end;
            } catch (Rejected r) {
                deadLetter(e, r, EventJson.of(e));
            }
        }
        for (KeyWork k : work.values()) {
            setCurrentKey(k.key);
            WindowState s = windows.value();
            k.window = s == null ? windowTrainer.newWindow(k.key) : s.window(k.key, windowTrainer.k2());
            k.pending = s == null ? -1 : s.pending;
        }
        List<KeyWindow> due = new ArrayList<>();
        List<KeyWork> dueWork = new ArrayList<>();
        while (true) {
            due.clear();
            dueWork.clear();
            for (KeyWork k : work.values()) {
                boolean isDue = false;
                while (!isDue && k.step < k.steps.size()) {
                    isDue = windowTrainer.add(k.window, k.steps.get(k.step), k.stepLabels.get(k.step));
                    k.step++;
                }
                while (!isDue && k.hasNext()) {
                    int t = k.next();
                    if (k.pending >= 0) {
                        isDue = windowTrainer.add(k.window, k.pending, t);
                    }
                    k.pending = t;
                }
                if (!isDue && k.end && !k.hasNext() && k.step == k.steps.size() && k.window.sinceUpdate() > 0) {
                    isDue = true; // the end of the key's stream: its last steps are learned too
                }
                if (isDue) {
                    dueWork.add(k);
                }
            }
            if (dueWork.isEmpty()) {
                break;
            }
            long oldest = Long.MAX_VALUE;
            long newest = 0;
            for (KeyWork k : dueWork) {
                if (config.heldOut().holds(k.key)) {
                    sequencesHeldOut.inc();
                    emit(TrainingMessage.heldOut(windowTrainer.skip(k.window)));
                } else {
                    due.add(k.window);
                    oldest = Math.min(oldest, k.newestMs);
                    newest = Math.max(newest, k.newestMs);
                }
            }
            if (!due.isEmpty()) {
                sequencesLearned.inc(due.size());
                trainer.zeroGradients();
                double loss = windowTrainer.run(due); // the sum of the windows' mean losses
                sum.add(serving().model().parameters(), 1f, due.size(), loss, oldest, newest);
                if (sum.windows() >= config.windowsPerGradient()) {
                    ship();
                }
            }
        }
        for (KeyWork k : work.values()) {
            setCurrentKey(k.key);
            if (k.end) {
                windows.clear();
            } else {
                windows.update(WindowState.of(k.window, k.pending));
            }
        }
    }

    /** Runs what is queued and ships the sum, if there is one. */
    private void ship() {
        if (examples != null && examples.pending() > 0) {
            examples.run(sum);
        }
        if (sum.windows() > 0) {
            gradientsShipped.inc();
            emit(TrainingMessage.of(sum.take(trainingVersion)));
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
