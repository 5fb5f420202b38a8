package io.streamnet.flink.cnn;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.frame.FrameEvent;
import io.streamnet.flink.model.FrameModel;
import io.streamnet.flink.model.ModelRejectedException;
import io.streamnet.flink.model.ModelUpdates;
import io.streamnet.flink.model.ServingOperator;
import io.streamnet.flink.rnn.Predictions;
import io.streamnet.flink.sequence.DeadLetters;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.PredictionKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Frame classification, micro-batched across cameras, with an optional per-camera temporal smoother
 * and models swapped while running.
 *
 * <p>Input 1 (keyed by camera) carries decoded frames. They are buffered until {@code batchSize}
 * frames or {@code batchMillis} have passed; then ONE batched CNN forward classifies them all
 * (a FRAME prediction per frame). With a smoother and {@code smooth} on, each frame's CNN features
 * then step its camera's RNN, whose state lives in Flink keyed state (a float[] per camera), and a
 * MANY_TO_MANY prediction gives the frame's label from the frames before it; a camera with several
 * frames in the batch steps them in order, one batched RNN step per round of distinct cameras. The
 * buffer is flushed on its trigger, on watermarks, before every checkpoint barrier and at end of
 * input. Frames whose shape is not the model's go to the dead-letter output (WRONG_SHAPE).
 *
 * <p>Input 2 (broadcast) carries {@link ModelUpdate} records, applied between batches as
 * {@link ServingOperator} describes (a CNN and its smoother swap together); a smoother of another
 * state shape, or a model without one, starts every camera's smoother afresh.
 */
public final class CnnFrameOperator extends ServingOperator<FrameEvent, FrameModel> {
    private static final long serialVersionUID = 1L;

    private final FrameOperatorConfig config;

    private transient ValueStateDescriptor<float[]> stateDescriptor;
    private transient ValueState<float[]> state;
    private transient List<FrameEvent> buffer;
    private transient FrameClassifier classifier;
    private transient StateBatch smootherBatch;
    private transient Tensor smootherInput;
    private transient float[] scratch;
    private transient boolean batchTimerSet;
    private transient FrameOperatorMetrics metrics;

    /**
     * @param checkpoint the frame model to serve until an update arrives (a restored job serves
     *                   what it served when checkpointed instead)
     * @param modelId    the model id this operator serves; updates for other ids are not for it
     * @param version    the initial model's version; updates must be newer
     */
    public CnnFrameOperator(byte[] checkpoint, String modelId, long version, FrameOperatorConfig config) {
        super(checkpoint, modelId, version, config.maxModelBytes(), "serving-frame-model");
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        stateDescriptor = floatState("smoother-state", config.stateTtl());
        state = getPartitionedState(stateDescriptor);
        buffer = new ArrayList<>(config.batchSize());
        allocateWorkspace();
    }

    @Override
    protected FrameModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return FrameModel.load(Backends.get(), checkpoint, modelId, version);
    }

    @Override
    protected FrameModel validate(ModelUpdate u) throws ModelRejectedException {
        return ModelUpdates.validateFrames(Backends.get(), u);
    }

    @Override
    protected boolean sameStateShape(FrameModel old, FrameModel next) {
        return next.sameStateShape(old);
    }

    @Override
    protected ValueStateDescriptor<float[]> modelDependentState() {
        return stateDescriptor;
    }

    @Override
    protected FrameOperatorMetrics createMetrics() {
        metrics = new FrameOperatorMetrics(getMetricGroup());
        return metrics;
    }

    @Override
    protected void modelChanged() {
        allocateWorkspace();
    }

    private void allocateWorkspace() {
        classifier = new FrameClassifier(serving, Backends.get(), config.batchSize());
        if (smoothing()) {
            SequenceModel s = serving.smoother();
            smootherBatch = s.newStateBatch(config.batchSize());
            smootherInput = Tensor.zeros(config.batchSize(), serving.featureSize());
            scratch = new float[s.stateLayout().size()];
        } else {
            smootherBatch = null;
            smootherInput = null;
            scratch = null;
        }
    }

    private boolean smoothing() {
        return config.smooth() && serving.hasSmoother();
    }

    // ---- input 1: frames ----

    @Override
    public void processElement1(StreamRecord<FrameEvent> element) throws Exception {
        metrics.framesIn.inc();
        FrameEvent f = element.getValue();
        if (!classifier.fits(f.height, f.width, f.channels)) {
            deadLetter(DeadLetters.of(f.sourceTopic, f.sourcePartition, f.sourceOffset, "WRONG_SHAPE",
                    "frame " + f + " but model " + serving + " reads " + serving.height() + "x" + serving.width() + "x"
                            + serving.channels(), f.toJson()));
            return;
        }
        buffer.add(f);
        if (buffer.size() >= config.batchSize() || config.batchMillis() == 0) {
            flush();
        } else if (!batchTimerSet) {
            batchTimerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + config.batchMillis(), t -> flush());
        }
    }

    /** Classifies the buffered frames in one forward pass, then steps the smoother per camera. */
    @Override
    protected void flush() throws Exception {
        batchTimerSet = false;
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        int rows = buffer.size();
        metrics.batchSize.update(rows);
        for (int i = 0; i < rows; i++) {
            classifier.load(i, buffer.get(i).pixels);
        }
        long t0 = System.nanoTime();
        classifier.run(rows);
        metrics.forwardMicros.update((System.nanoTime() - t0) / 1000);
        Tensor probs = classifier.probabilities();
        for (int i = 0; i < rows; i++) {
            emit(buffer.get(i), PredictionKind.FRAME, probs.row(i).toArray());
        }
        if (smoothing()) {
            smooth(rows);
        }
        buffer.clear();
    }

    /** Buffer rows of each camera in arrival order; rounds of distinct cameras, one batched step each. */
    private void smooth(int rows) throws Exception {
        Map<String, List<Integer>> byCamera = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            byCamera.computeIfAbsent(buffer.get(i).camera, k -> new ArrayList<>(4)).add(i);
        }
        Tensor feats = classifier.features();
        int width = serving.featureSize();
        List<Integer> round = new ArrayList<>(byCamera.size());
        for (int k = 0; ; k++) {
            round.clear();
            for (List<Integer> q : byCamera.values()) {
                if (k < q.size()) {
                    round.add(q.get(k));
                }
            }
            if (round.isEmpty()) {
                return;
            }
            for (int j = 0; j < round.size(); j++) {
                int row = round.get(j);
                setCurrentKey(buffer.get(row).camera);
                smootherBatch.load(j, usable(state.value()));
                System.arraycopy(feats.data(), feats.offset() + row * width, smootherInput.data(), j * width, width);
            }
            serving.smoother().stepBatch(smootherBatch, round.size(), null, smootherInput);
            for (int j = 0; j < round.size(); j++) {
                FrameEvent f = buffer.get(round.get(j));
                setCurrentKey(f.camera);
                smootherBatch.saveInto(j, scratch);
                state.update(scratch.clone()); // the heap backend keeps the array: a fresh one per camera
                emit(f, PredictionKind.MANY_TO_MANY, smootherBatch.output(j).toArray());
            }
        }
    }

    /** A camera's stored state if the serving smoother can read it, else the initial state. */
    private float[] usable(float[] s) {
        SequenceModel m = serving.smoother();
        if (s == null) {
            return m.initialState().values();
        }
        if (s.length != m.stateLayout().size()) {
            metrics.stateResets.inc(); // written under a smoother of another shape (a restore across a swap)
            return m.initialState().values();
        }
        return s;
    }

    private void emit(FrameEvent f, PredictionKind kind, float[] probabilities) {
        long now = System.currentTimeMillis();
        long latency = f.ingestTime > 0 ? Math.max(0, now - f.ingestTime) : 0;
        metrics.latencyMs.update(latency);
        metrics.predictionsOut.inc();
        output.collect(new StreamRecord<>(Predictions.of(f.camera, f.frameNo, kind, Task.CLASSIFICATION, probabilities,
                null, serving.modelId(), serving.version(), f.eventTime, latency, f.label)));
    }
}
