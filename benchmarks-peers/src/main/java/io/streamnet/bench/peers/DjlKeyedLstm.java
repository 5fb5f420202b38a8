package io.streamnet.bench.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.sequence.SequenceEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed LSTM inference with DJL's PyTorch inside the JVM, record by record as DJL's Flink example
 * predicts: for every event its key's (h, c) and the features become tensors, PyTorch's fused
 * {@code torch.lstm} runs one step at batch 1, then the linear head and softmax; the new state goes
 * back into Flink's keyed state. The weights live in the subtask's manager; each record's tensors
 * in a child manager closed after it.
 */
final class DjlKeyedLstm extends KeyedProcessFunction<String, SequenceEvent, Prediction> {
    private static final long serialVersionUID = 1L;
    private final int features;
    private final int hidden;
    private final int classes;
    private transient NDManager weights;
    private transient DjlLstm lstm;
    private transient ValueState<float[]> state; // (h, c): 2H floats

    DjlKeyedLstm(int features, int hidden, int classes) {
        this.features = features;
        this.hidden = hidden;
        this.classes = classes;
    }

    @Override
    public void open(OpenContext ctx) {
        weights = DjlLstm.manager();
        lstm = new DjlLstm(weights, features, hidden, classes, 1);
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("djl-hc",
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(SequenceEvent e, Context ctx, Collector<Prediction> out) throws Exception {
        float[] hc = state.value();
        try (NDManager m = weights.newSubManager()) {
            NDArray x = m.create(e.features, new Shape(1, features));
            NDArray h = hc == null ? m.zeros(new Shape(1, 1, hidden)) : m.create(hc, new Shape(2, 1, 1, hidden)).get(0);
            NDArray c = hc == null ? m.zeros(new Shape(1, 1, hidden)) : m.create(hc, new Shape(2, 1, 1, hidden)).get(1);
            NDList r = lstm.step(x, h, c); // probabilities (1, classes), h (1, 1, H), c (1, 1, H)
            state.update(NDArrays.concat(r.get(1), r.get(2)));
            out.collect(PeerPredictions.of(e, r.get(0).toFloatArray(), "djl-pytorch-lstm"));
        }
    }

    @Override
    public void close() {
        if (weights != null) {
            weights.close();
        }
    }

    /** Flat copies of tensors, one after another. */
    static final class NDArrays {
        private NDArrays() {
        }

        static float[] concat(NDArray a, NDArray b) {
            float[] x = a.toFloatArray();
            float[] y = b.toFloatArray();
            float[] out = new float[x.length + y.length];
            System.arraycopy(x, 0, out, 0, x.length);
            System.arraycopy(y, 0, out, x.length, y.length);
            return out;
        }
    }
}
