package io.streamnet.flink.frame;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.serving.ServingMetrics;
import io.streamnet.flink.serving.ServingOperator;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.batch.KeyRounds;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.serving.frame.FrameDecoder;
import io.streamnet.schemas.Prediction;
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
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Frame classification on Flink, micro-batched across cameras, with an optional per-camera temporal
 * smoother and models swapped while running. Input 1 (keyed by camera) carries decoded frames,
 * batched as {@link ServingOperator} describes; ONE batched CNN forward ({@link FrameClassifier})
 * classifies a batch (a FRAME prediction per frame). With a smoother and {@code smooth} on, each
 * frame's CNN features then step its camera's RNN, whose state lives in Flink keyed state (a
 * float[] per camera), in {@link KeyRounds} of distinct cameras, and a MANY_TO_MANY prediction gives
 * the frame's label from the frames before it. Frames whose shape is not the model's are dead
 * letters (WRONG_SHAPE). A CNN and its smoother swap together; a smoother of another state shape,
 * or a model without one, starts every camera's smoother afresh.
 */
public final class FrameOperator extends ServingOperator<FrameEvent, ServedFrameModel, Prediction> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String STATE = "smoother-state";
    /** The names of this operator's input and compute metrics (the rest are {@link ServingMetrics}'). */
    public static final String FRAMES_IN = "framesIn";
    public static final String FORWARD_MICROS = "forwardMicros";
    static final String MODEL_STATE = "serving-frame-model";
    static final String LAST_FRAME = "frame-last-no";
    /** Every frame takes one smoother step: nothing is ever handed over without one. */
    private static final Consumer<Integer> NO_STEP = row -> {
    };

    private final FrameOperatorConfig config;

    private transient ValueState<float[]> state;
    /** The number of the camera's last frame accepted (only when the order is checked). */
    private transient ValueState<Long> lastFrame;
    private transient FrameClassifier classifier;
    private transient SequenceStepper smoother;
    private transient KeyRounds<Integer> rounds;
    private transient List<FrameEvent> batch;
    private transient ServingMetrics metrics;
    /** Why the model failed in the batch running, if it did: rolled back after the batch. */
    private transient String rollBackPending;

    /**
     * @param checkpoint the frame model to serve until an update arrives (a restored job serves
     *                   what it served when checkpointed instead)
     * @param modelId    the model id this operator serves; updates for other ids are not for it
     * @param version    the initial model's version; updates must be newer
     */
    public FrameOperator(byte[] checkpoint, String modelId, long version, FrameOperatorConfig config) {
        super(checkpoint, modelId, version, new Settings(config.maxModelBytes(), MODEL_STATE, STATE, config.stateTtl(),
                config.batchSize(), config.batchMillis(), config.trustedKey()));
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        state = keyState();
        if (config.order().enabled()) {
            lastFrame = expiringState(new ValueStateDescriptor<>(LAST_FRAME, Types.LONG));
        }
        rounds = new KeyRounds<>(row -> 1, config.batchSize());
    }

    @Override
    protected ModelSlot.Kind<ServedFrameModel> modelKind() {
        return new FrameModelKind();
    }

    @Override
    protected ServingMetrics createMetrics() {
        metrics = new ServingMetrics(getMetricGroup(), FRAMES_IN, FORWARD_MICROS);
        return metrics;
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
            if (lastFrame != null) {
                // Checked as frames arrive (the key is current here), so frames of one camera
                // buffered together are held to each other too.
                config.order().check(f.camera, lastFrame.value(), f.frameNo);
                lastFrame.update(f.frameNo);
            }
        } catch (Rejected why) {
            deadLetter(f, why, f.toJson());
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
            batch = frames;
            for (int i = 0; i < rows; i++) {
                if (failed == 0 || classifier.failure(i) == null) {
                    rounds.add(frames.get(i).camera, i);
                }
            }
            for (KeyRounds.Round<Integer> round; (round = rounds.next(NO_STEP)) != null; ) {
                smooth(round);
            }
        }
        if (rollBackPending != null) {
            String why = rollBackPending;
            rollBackPending = null;
            failedInService(why);
        }
    }

    /** One batched smoother step over a round of distinct cameras (its rows of the batch). */
    private void smooth(KeyRounds.Round<Integer> round) throws Exception {
        Tensor feats = classifier.features();
        int width = serving().featureSize();
        int n = round.size();
        for (int j = 0; j < n; j++) {
            int row = round.item(j);
            setCurrentKey(batch.get(row).camera);
            if (smoother.loadState(j, state.value())) {
                metrics.stateResets.inc(); // written under a smoother of another shape (a restore across a swap)
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
        deadLetter(f, new Rejected(RejectReason.MODEL_ERROR, "model " + serving() + ": " + why), f.toJson());
        rollBackPending = rollBackPending == null ? why : rollBackPending;
    }

    private void emit(FrameEvent f, PredictionKind kind, float[] probabilities) {
        long latency = f.ingestTime > 0 ? System.currentTimeMillis() - f.ingestTime : 0;
        emit(Predictions.of(f.camera, f.frameNo, kind, Task.CLASSIFICATION, probabilities, null, serving().modelId(),
                serving().version(), f.eventTime, latency, f.label));
    }
}
