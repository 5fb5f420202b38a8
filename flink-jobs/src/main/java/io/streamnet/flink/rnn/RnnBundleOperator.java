package io.streamnet.flink.rnn;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Per-key RNN inference, mini-batched across keys: records are buffered until {@code bundleSize}
 * of them or {@code bundleMillis} have passed, then every key with a pending record takes one step
 * in ONE batched computation (its state gathered from keyed state into a [B, H] batch and
 * scattered back). A key seen twice in a bundle takes two rounds, so per-key order holds. The
 * bundle is flushed on its trigger, on watermarks, before every checkpoint barrier and at end of
 * input, so nothing buffered is lost or checkpointed half-done. State is a float[] per key in Flink
 * keyed state (Flink's primitive-array serializer, not Kryo), cleared at the end of a sequence.
 */
public final class RnnBundleOperator extends AbstractStreamOperator<StepOutput>
        implements OneInputStreamOperator<StepInput, StepOutput>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** The model travels as checkpoint bytes (validated on open), not as a Java-serialized object. */
    private final byte[] checkpoint;
    private final int bundleSize;
    private final long bundleMillis;
    private final boolean perStep;
    private final Duration stateTtl;

    private transient SequenceModel model;
    private transient List<StreamRecord<StepInput>> buffer;
    private transient ValueState<float[]> state;
    private transient StateBatch batch;
    private transient Tensor features;
    private transient int[] tokens;
    private transient float[] scratch;
    private transient boolean timerSet;

    /**
     * @param perStep emit an output after every event (many-to-many / rolling) rather than only at
     *                the end-of-sequence marker (many-to-one)
     */
    public RnnBundleOperator(byte[] checkpoint, int bundleSize, long bundleMillis, boolean perStep) {
        this(checkpoint, bundleSize, bundleMillis, perStep, null);
    }

    /**
     * @param stateTtl how long an idle key keeps its state (a conversation that never sends its end
     *                 marker); null keeps it until the end marker
     */
    public RnnBundleOperator(byte[] checkpoint, int bundleSize, long bundleMillis, boolean perStep, Duration stateTtl) {
        if (bundleSize < 1 || bundleMillis < 0 || (stateTtl != null && (stateTtl.isNegative() || stateTtl.isZero()))) {
            throw new IllegalArgumentException("bundle size must be positive, bundle time non-negative, TTL positive");
        }
        this.stateTtl = stateTtl;
        this.checkpoint = checkpoint.clone();
        this.bundleSize = bundleSize;
        this.bundleMillis = bundleMillis;
        this.perStep = perStep;
    }

    @Override
    public void open() throws Exception {
        super.open();
        model = RnnCheckpoints.fromCheckpoint(Backends.get(), Checkpoints.fromBytes(checkpoint)).model();
        buffer = new ArrayList<>(bundleSize);
        ValueStateDescriptor<float[]> desc =
                new ValueStateDescriptor<>("rnn-state", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        if (stateTtl != null) {
            // Expired state reads as absent: an idle key starts afresh.
            desc.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        state = getRuntimeContext().getState(desc);
        batch = model.newStateBatch(bundleSize);
        features = model.config().tokenInput() ? null : Tensor.zeros(bundleSize, model.config().inputSize());
        tokens = new int[bundleSize];
        scratch = new float[model.stateLayout().size()];
    }

    @Override
    public void processElement(StreamRecord<StepInput> element) throws Exception {
        buffer.add(element);
        if (buffer.size() >= bundleSize) {
            flush();
        } else if (!timerSet && bundleMillis > 0) {
            timerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + bundleMillis, t -> flush());
        } else if (bundleMillis == 0) {
            flush();
        }
    }

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

    /** End of a bounded input: nothing may stay buffered. */
    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    /** Runs the buffered records in rounds of distinct keys, each round one batched step. */
    void flush() throws Exception {
        timerSet = false;
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        Map<String, ArrayDeque<StreamRecord<StepInput>>> byKey = new LinkedHashMap<>();
        for (StreamRecord<StepInput> r : buffer) {
            byKey.computeIfAbsent(r.getValue().key(), k -> new ArrayDeque<>()).add(r);
        }
        buffer.clear();
        List<StreamRecord<StepInput>> round = new ArrayList<>(bundleSize);
        while (!byKey.isEmpty()) {
            round.clear();
            var it = byKey.values().iterator();
            while (it.hasNext()) {
                ArrayDeque<StreamRecord<StepInput>> q = it.next();
                round.add(q.poll());
                if (q.isEmpty()) {
                    it.remove();
                }
            }
            step(round);
        }
    }

    private void step(List<StreamRecord<StepInput>> round) {
        int rows = round.size();
        for (int i = 0; i < rows; i++) {
            StepInput in = round.get(i).getValue();
            setCurrentKey(in.key());
            float[] s = value();
            if (s == null) {
                batch.load(i, model.initialState());
            } else {
                batch.load(i, s);
            }
            if (features != null) {
                System.arraycopy(in.features(), 0, features.data(), i * features.cols(), features.cols());
            } else {
                tokens[i] = in.token();
            }
        }
        model.stepBatch(batch, rows, tokens, features);
        for (int i = 0; i < rows; i++) {
            StreamRecord<StepInput> rec = round.get(i);
            StepInput in = rec.getValue();
            setCurrentKey(in.key());
            if (in.end()) {
                clear();
            } else {
                batch.saveInto(i, scratch);
                update(scratch.clone());
            }
            if (perStep || in.end()) {
                float[] out = batch.output(i).toArray();
                int best = 0;
                for (int c = 1; c < out.length; c++) {
                    if (out[c] > out[best]) {
                        best = c;
                    }
                }
                output.collect(rec.replace(new StepOutput(in.key(), in.seq(), out, best, in.label(), in.end(),
                        in.eventTime())));
            }
        }
    }

    private float[] value() {
        try {
            return state.value();
        } catch (Exception e) {
            throw new IllegalStateException("reading RNN state failed", e);
        }
    }

    private void update(float[] v) {
        try {
            state.update(v);
        } catch (Exception e) {
            throw new IllegalStateException("writing RNN state failed", e);
        }
    }

    private void clear() {
        state.clear();
    }
}
