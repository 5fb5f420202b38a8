package io.streamnet.flink.cnn;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.frame.FrameEvent;
import io.streamnet.flink.model.FrameModel;
import io.streamnet.flink.model.ModelRejectedException;
import io.streamnet.flink.model.ModelUpdates;
import io.streamnet.flink.rnn.Predictions;
import io.streamnet.flink.sequence.DeadLetters;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.schemas.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
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
 * <p>Input 2 (broadcast) carries {@link ModelUpdate} records, handled as in the RNN operator: applied
 * between batches; other ids and older versions ignored; invalid ones dead-lettered while the old
 * model serves; a different smoother state shape resets every camera's state; the serving model
 * is kept in broadcast operator state so that a restored job serves what it served.
 */
public final class CnnFrameOperator extends AbstractStreamOperator<Prediction>
        implements TwoInputStreamOperator<FrameEvent, RawRecord, Prediction>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CnnFrameOperator.class);

    private static final MapStateDescriptor<String, byte[]> MODEL_STATE = new MapStateDescriptor<>("serving-frame-model",
            Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    private static final String MODEL_CHECKPOINT = "checkpoint";
    private static final String MODEL_ID = "id";
    private static final String MODEL_VERSION = "version";

    private final byte[] initialCheckpoint;
    private final String initialId;
    private final long initialVersion;
    private final FrameOperatorConfig config;

    private transient FrameModel serving;
    private transient BroadcastState<String, byte[]> modelState;
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
        this.initialCheckpoint = checkpoint.clone();
        this.initialId = modelId;
        this.initialVersion = version;
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        modelState = context.getOperatorStateStore().getBroadcastState(MODEL_STATE);
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = new FrameOperatorMetrics(getMetricGroup());
        byte[] restored = modelState.get(MODEL_CHECKPOINT);
        if (restored != null) {
            serving = FrameModel.load(Backends.get(), restored,
                    new String(modelState.get(MODEL_ID), StandardCharsets.UTF_8),
                    Long.parseLong(new String(modelState.get(MODEL_VERSION), StandardCharsets.UTF_8)));
            LOG.info("restored serving frame model {}", serving);
        } else {
            serving = FrameModel.load(Backends.get(), initialCheckpoint, initialId, initialVersion);
            remember(serving);
        }
        metrics.modelVersion = serving.version();
        stateDescriptor = new ValueStateDescriptor<>("smoother-state", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        if (config.stateTtl() != null) {
            // As in the RNN operator: expired state reads as absent, dropped at full snapshots.
            stateDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(config.stateTtl())
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .disableCleanupInBackground()
                    .cleanupFullSnapshot()
                    .build());
        }
        state = getPartitionedState(stateDescriptor);
        buffer = new ArrayList<>(config.batchSize());
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

    private void remember(FrameModel m) throws Exception {
        modelState.put(MODEL_CHECKPOINT, m.checkpoint());
        modelState.put(MODEL_ID, m.modelId().getBytes(StandardCharsets.UTF_8));
        modelState.put(MODEL_VERSION, Long.toString(m.version()).getBytes(StandardCharsets.UTF_8));
    }

    /** The model serving now (for tests and logs). */
    public FrameModel serving() {
        return serving;
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

    // ---- input 2: model updates ----

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        flush(); // buffered frames are classified by the model they arrived under
        RawRecord r = element.getValue();
        FrameModel next;
        try {
            ModelUpdate u = ModelUpdates.decode(r.value, config.maxModelBytes());
            if (!u.getModelId().equals(serving.modelId())) {
                LOG.debug("update for model {} ignored: this operator serves {}", u.getModelId(), serving.modelId());
                return;
            }
            if (u.getVersion() <= serving.version()) {
                LOG.info("model {} v{} ignored: v{} is serving", u.getModelId(), u.getVersion(), serving.version());
                return;
            }
            next = ModelUpdates.validateFrames(Backends.get(), u);
        } catch (ModelRejectedException e) {
            metrics.modelUpdatesRejected.inc();
            LOG.warn("model update rejected ({}), {} keeps serving: {}", e.reason(), serving, e.getMessage());
            deadLetter(DeadLetters.of(r.topic, r.partition, r.offset, e.reason(), e.getMessage(), r.value));
            return;
        }
        swap(next);
    }

    private void swap(FrameModel next) throws Exception {
        boolean reset = !next.sameStateShape(serving);
        FrameModel old = serving;
        serving = next;
        remember(next);
        allocateWorkspace();
        metrics.modelVersion = next.version();
        metrics.modelUpdatesApplied.inc();
        long cleared = 0;
        if (reset) {
            long[] n = {0};
            getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    stateDescriptor, (key, s) -> {
                        s.clear();
                        n[0]++;
                    });
            cleared = n[0];
            metrics.stateResets.inc(cleared);
        }
        LOG.info("frame model swapped: {} -> {}{}", old, next,
                reset ? "; smoother state shape changed, " + cleared + " cameras start afresh" : "");
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

    /** Classifies the buffered frames in one forward pass, then steps the smoother per camera. */
    void flush() throws Exception {
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

    private void deadLetter(DeadLetter d) {
        metrics.deadLetter(d.getReason());
        output.collect(DeadLetters.TAG, new StreamRecord<>(d));
    }
}
