package io.streamnet.serving.model;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.LayerRegistry;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import java.util.List;
import java.util.Map;

/**
 * Models that are valid checkpoints (finite weights, right shapes) yet fail when they run, for the
 * tests of what a runtime does with a model that misbehaves.
 *
 * <p>The feature models are GRUs of 1 input, 1 hidden unit and 1 output (regression): with the
 * reset/update biases pinned, h = tanh(x), and the head outputs {@code MAX * h + offset * MAX},
 * which overflows to +Inf exactly when tanh(x) > 1 - offset. The canary's inputs are sin values
 * (tanh at most 0.76), so {@link #failsAbove} with offset 0.2 passes the canary and fails on a live
 * feature of 2 or more, while {@link #alwaysNonFinite} fails on the canary itself.
 */
public final class PoisonModels {
    public static final String EXPLODE = "test-explode";

    static {
        LayerRegistry.register(EXPLODE, (backend, store, name, spec) -> new ExplodingLayer());
    }

    private PoisonModels() {
    }

    public static ModelConfig config(OutputType type) {
        return ModelConfig.features(CellType.GRU, 1, 1, 1, 0f, 1, Task.REGRESSION, type);
    }

    /** A well-behaved model of the poison models' shape (outputs near 0 for inputs near 0). */
    public static SequenceModel healthy(OutputType type) {
        return pinned(type, 0.5f, 0f);
    }

    /** Passes the canary; outputs +Inf for a feature above atanh(0.8) ~ 1.1. */
    public static SequenceModel failsAbove(OutputType type) {
        return pinned(type, Float.MAX_VALUE, 0.2f * Float.MAX_VALUE);
    }

    /** Outputs +Inf for every positive feature, the canary's among them. */
    public static SequenceModel alwaysNonFinite(OutputType type) {
        return pinned(type, Float.MAX_VALUE, Float.MAX_VALUE);
    }

    private static SequenceModel pinned(OutputType type, float headWeight, float headBias) {
        SequenceModel m = new SequenceModel(CpuBackend.instance(), config(type), 1L);
        set(m, "enc0.wx", 0f, 0f, 1f);                    // gates r, z, n: only n reads x
        set(m, "enc0.wh", 0f, 0f, 0f);
        set(m, "enc0.bx", 0f, -Float.MAX_VALUE, 0f);      // z = sigmoid(-MAX) = 0: h' = n = tanh(x)
        set(m, "enc0.bh", 0f, 0f, 0f);
        set(m, "head.w", headWeight);
        set(m, "head.b", headBias);
        return m;
    }

    private static void set(SequenceModel m, String name, float... values) {
        Tensor t = m.store().get(name).value();
        if (t.size() != values.length) {
            throw new IllegalStateException(name + " has " + t.size() + " values, not " + values.length);
        }
        System.arraycopy(values, 0, t.data(), t.offset(), values.length);
    }

    /**
     * A GRU model of {@code config} (one layer) whose logits are all +Inf whatever the input, so that
     * softmax gives NaN: h = tanh(1) for every key and token, times weights and biases of MAX.
     */
    public static SequenceModel nanGru(ModelConfig config) {
        if (config.cell() != CellType.GRU || config.layers() != 1) {
            throw new IllegalArgumentException("a one-layer GRU config, got " + config);
        }
        SequenceModel m = new SequenceModel(CpuBackend.instance(), config, 12);
        int h = config.hidden();
        m.store().get("enc0.wx").value().fill(0f);
        m.store().get("enc0.wh").value().fill(0f);
        m.store().get("enc0.bh").value().fill(0f);
        float[] bx = m.store().get("enc0.bx").value().data();
        for (int j = 0; j < h; j++) {
            bx[j] = 0f;
            bx[h + j] = -Float.MAX_VALUE; // z = 0
            bx[2 * h + j] = 1f;           // n = tanh(1)
        }
        m.store().get("head.w").value().fill(Float.MAX_VALUE);
        m.store().get("head.b").value().fill(Float.MAX_VALUE);
        return m;
    }

    /** {@code checkpoint} with its architecture claiming a hidden size of 2^20: a 4 TB matrix, were it built. */
    public static byte[] oversizedArchitecture(byte[] checkpoint) {
        try {
            Checkpoint real = Checkpoints.fromBytes(checkpoint);
            ObjectNode arch = real.architecture().deepCopy();
            arch.put("hidden", 1 << 20);
            Checkpoint.Builder b = Checkpoint.builder(arch);
            real.tensors().forEach(b::tensor);
            return Checkpoints.toBytes(b.build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] bytes(SequenceModel m) {
        try {
            return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, null, Map.of()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A layer whose forward always throws: a CNN holding it is a model that throws on any input. */
    public static Layer explodingLayer() {
        return new ExplodingLayer();
    }

    private static final class ExplodingLayer implements Layer {
        @Override
        public Tensor forward(Tensor input, boolean training) {
            throw new IllegalStateException("this layer always fails");
        }

        @Override
        public Tensor backward(Tensor gradOutput) {
            throw new IllegalStateException("this layer always fails");
        }

        @Override
        public List<Parameter> parameters() {
            return List.of();
        }

        @Override
        public int[] outputShape(int[] inputShape) {
            return inputShape.clone();
        }

        @Override
        public ObjectNode spec() {
            return JsonNodeFactory.instance.objectNode().put("type", EXPLODE);
        }
    }
}
