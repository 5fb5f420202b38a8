package io.streamnet.flink.frame;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.operator.BatchMetrics;
import io.streamnet.flink.operator.KeyOrder;
import io.streamnet.flink.operator.ModelFollowingOperator;
import io.streamnet.flink.operator.PredictionOutput;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.batch.KeyRounds;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.serving.frame.FrameDecoder;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.frame.FrameModelKind;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.output.Predictions;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceStepper;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Frame classification on Flink, micro-batched across cameras ({@link ModelFollowingOperator}), with
 * an optional per-camera temporal smoother. ONE batched CNN forward ({@link FrameClassifier})
 * classifies a batch (a FRAME prediction per frame). With a smoother and {@code smooth} on, each
 * frame's CNN features then step its camera's RNN (state: a float[] per camera in keyed state) in
 * {@link KeyRounds} of distinct cameras: a MANY_TO_MANY prediction from the frames before it.
 * Frames not of the model's shape are WRONG_SHAPE dead letters. A CNN and its smoother swap
 * together; a smoother of another state shape, or none, starts every camera's smoother afresh.
 */
public final class FrameOperator extends ModelFollowingOperator<FrameEvent, ServedFrameModel, Prediction> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String STATE = "smoother-state";
    static final String MODEL_STATE = "serving-frame-model";
    static final String LAST_FRAME = "frame-last-no";
    /** The names of this operator's input and compute metrics ({@link BatchMetrics}). */
    public static final String FRAMES_IN = "framesIn";
    public static final String FORWARD_MICROS = "forwardMicros";
    /** Every frame takes one smoother step: nothing is ever handed over without one. */
    private static final Consumer<Integer> NO_STEP = row -> {
    };

    private final FrameOperatorConfig config;

    private transient ValueState<float[]> state;
    /** The number of the camera's last frame accepted. */
    private transient KeyOrder order;
    private transient FrameClassifier classifier;
    private transient SequenceStepper smoother;
    private transient KeyRounds<Integer> rounds;
    private transient BatchMetrics metrics;
    private transient PredictionOutput predictions;
    /** Why the model failed in the batch running, if it did: rolled back after the batch. */
    private transient String rollBackPending;

    /** The frame model {@code checkpoint} serves until a newer update of {@code modelId} arrives (or what a restore brings). */
    public FrameOperator(byte[] checkpoint, String modelId, long version, FrameOperatorConfig config) {
        super(checkpoint, modelId, version, new Settings(config.maxModelBytes(), MODEL_STATE, STATE, config.stateTtl(),
                config.batchSize(), config.batchMillis(), config.trustedKey()));
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        metrics = new BatchMetrics(getMetricGroup(), FRAMES_IN, FORWARD_MICROS);
        predictions = new PredictionOutput(output, getMetricGroup());
        super.open();
        state = keyState();
        order = KeyOrder.of(config.order(), LAST_FRAME, this);
        rounds = new KeyRounds<>(row -> 1, config.batchSize());
    }

    @Override
    protected ModelSlot.Kind<ServedFrameModel> modelKind() {
        return new FrameModelKind();
    }

    @Override
    protected void modelChanged(ServedFrameModel serving) {
        released(); // what the old model's passes held on a device goes with it
        classifier = new FrameClassifier(serving, FrameClassifier.placement(serving, config.batchSize()),
                config.batchSize());
        smoother = smoothing(serving) ? new SequenceStepper(serving.smoother(), serving.modelId(), serving.version(),
                OutputMode.MANY_TO_MANY, 1, config.batchSize(),
                SequenceStepper.placement(serving.smoother(), config.batchSize())) : null;
    }

    @Override
    protected void released() {
        if (classifier != null) {
            classifier.close();
        }
        if (smoother != null) {
            smoother.close();
        }
    }

    private boolean smoothing(ServedFrameModel m) {
        return config.smooth() && m.hasSmoother();
    }

    @Override
    public void processElement1(StreamRecord<FrameEvent> element) throws Exception {
        metrics.recordsIn.inc();
        FrameEvent f = element.getValue();
        try {
            FrameDecoder.requireShape(f, serving());
            // Checked as frames arrive (the key is current here), so frames of one camera
            // buffered together are held to each other too.
            order.check(f.camera, f.frameNo);
            order.taken(f.frameNo, false);
        } catch (Rejected why) {
            deadLetters().send(f, why, f.toJson());
            return;
        }
        buffer(f);
    }

    /** Classifies the batch in one forward pass, then steps the smoother per camera. */
    @Override
    protected void run(List<FrameEvent> frames) throws Exception {
        int rows = frames.size();
        metrics.batchSize.update(rows);
        for (int i = 0; i < rows; i++) {
            classifier.load(i, frames.get(i).pixels);
        }
        long t0 = System.nanoTime();
        int failed = classifier.run(rows);
        metrics.computeMicros.update((System.nanoTime() - t0) / 1000);
        Tensor probs = classifier.probabilities();
        for (int i = 0; i < rows; i++) {
            if (failed == 0 || classifier.failure(i) == null) {
                emit(frames.get(i), PredictionKind.FRAME, probs.row(i).toArray());
            } else {
                modelFailed(frames.get(i), classifier.failure(i));
            }
        }
        if (smoothing(serving())) {
            for (int i = 0; i < rows; i++) {
                if (failed == 0 || classifier.failure(i) == null) {
                    rounds.add(frames.get(i).camera, i);
                }
            }
            for (KeyRounds.Round<Integer> round; (round = rounds.next(NO_STEP)) != null; ) {
                smooth(round, frames);
            }
        }
        String why = rollBackPending;
        rollBackPending = null;
        if (why != null) {
            failedInService(why);
        }
    }

    /** One batched smoother step over a round of distinct cameras (its rows of the batch). */
    private void smooth(KeyRounds.Round<Integer> round, List<FrameEvent> batch) throws Exception {
        Tensor feats = classifier.features();
        int width = serving().featureSize();
        int n = round.size();
        for (int j = 0; j < n; j++) {
            int row = round.item(j);
            setCurrentKey(batch.get(row).camera);
            if (smoother.loadState(j, state.value())) {
                modelMetrics().stateResets.inc(); // written under a smoother of another shape (a restore across a swap)
            }
            smoother.loadFeatures(j, feats.data(), feats.offset() + row * width);
        }
        int failed = smoother.run(n);
        for (int j = 0; j < n; j++) {
            FrameEvent f = batch.get(round.item(j));
            if (failed > 0 && smoother.failure(j) != null) {
                modelFailed(f, "its smoother: " + smoother.failure(j));
                continue;
            }
            setCurrentKey(f.camera);
            state.update(smoother.state(j)); // a fresh array: the heap backend keeps it
            emit(f, PredictionKind.MANY_TO_MANY, smoother.output(j));
        }
    }

    /** The model failed on this frame alone: a dead letter; a model swapped in by an update is rolled back. */
    private void modelFailed(FrameEvent f, String why) throws Exception {
        deadLetters().send(f, new Rejected(RejectReason.MODEL_ERROR, "model " + serving() + ": " + why), f.toJson());
        rollBackPending = rollBackPending == null ? why : rollBackPending;
    }

    private void emit(FrameEvent f, PredictionKind kind, float[] probabilities) {
        long latency = f.ingestTime > 0 ? System.currentTimeMillis() - f.ingestTime : 0;
        predictions.emit(Predictions.of(f.camera, f.frameNo, kind, Task.CLASSIFICATION, probabilities, null, serving().modelId(),
                serving().version(), f.eventTime, latency, f.label));
    }
}
