package io.streamnet.serving.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Dense;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated frame classifier ready to serve: a CNN whose last layer is a dense classifier (its
 * input is the frame's feature vector) and, optionally, a smoother: a many-to-many feature RNN that
 * reads those features frame by frame per camera and labels each frame from the frames before it.
 *
 * <p>One checkpoint carries both, so that a model update swaps them together (a smoother is only
 * meaningful for the features of the CNN it was trained on). A plain CNN checkpoint (what
 * {@code streamnet train cnn} writes) is a frame model without a smoother. The composite's
 * architecture is {@code {"type": "frame-model", "cnn": ..., "smoother": ...}} and its tensors are
 * the parts' tensors prefixed {@code cnn/} and {@code smoother/}.
 */
public final class ServedFrameModel implements ServedModel<ServedFrameModel> {
    public static final String TYPE = "frame-model";
    private static final String CNN = "cnn/";
    private static final String SMOOTHER = "smoother/";

    private final String modelId;
    private final long version;
    private final byte[] checkpoint;
    private final Sequential cnn;
    private final SequenceModel smoother;
    private final int[] inputShape;
    private final int classes;
    private final int featureSize;

    private final Backend backend;

    private ServedFrameModel(Backend backend, String modelId, long version, byte[] checkpoint, Sequential cnn,
                             SequenceModel smoother, int featureSize, int classes) {
        this.backend = backend;
        this.modelId = modelId;
        this.version = version;
        this.checkpoint = checkpoint;
        this.cnn = cnn;
        this.smoother = smoother;
        this.inputShape = cnn.inputShape();
        this.featureSize = featureSize;
        this.classes = classes;
    }

    /** The composite checkpoint of a CNN and its smoother (null: a plain CNN checkpoint). */
    public static Checkpoint toCheckpoint(Sequential cnn, SequenceModel smoother, Map<String, String> metadata) {
        if (smoother == null) {
            return ModelCheckpoints.toCheckpoint(cnn, metadata);
        }
        ObjectNode arch = JsonNodeFactory.instance.objectNode();
        arch.put("type", TYPE);
        arch.set("cnn", cnn.architecture());
        Checkpoint rnn = RnnCheckpoints.toCheckpoint(smoother, null, Map.of());
        arch.set("smoother", rnn.architecture());
        Checkpoint.Builder b = Checkpoint.builder(arch);
        metadata.forEach(b::metadata);
        cnn.store().values().forEach((name, t) -> b.tensor(CNN + name, t));
        rnn.tensors().forEach((name, t) -> b.tensor(SMOOTHER + name, t));
        return b.build();
    }

    /** A frame model from networks in memory (serialized and validated like any checkpoint; the networks are copied). */
    public static ServedFrameModel of(Backend backend, Sequential cnn, SequenceModel smoother, Map<String, String> metadata,
                                String modelId, long version) throws CheckpointException {
        return load(backend, Checkpoints.toBytes(toCheckpoint(cnn, smoother, metadata)), modelId, version);
    }

    public static ServedFrameModel load(Backend backend, byte[] checkpoint, String modelId, long version)
            throws CheckpointException {
        return load(backend, checkpoint, Checkpoints.fromBytes(checkpoint), modelId, version);
    }

    /**
     * Validates and loads (the checkpoint format's checks, then every shape: the CNN's input must be
     * [channels, height, width] and its last layer dense; the smoother must read the CNN's features
     * and label the CNN's classes at every step). Id and version come from the metadata unless given.
     */
    public static ServedFrameModel load(Backend backend, byte[] checkpoint, Checkpoint parsed, String modelId, long version)
            throws CheckpointException {
        JsonNode arch = parsed.architecture();
        Sequential cnn;
        SequenceModel smoother = null;
        if (TYPE.equals(arch.path("type").asText())) {
            cnn = ModelCheckpoints.fromCheckpoint(backend, part(parsed, "cnn", CNN));
            smoother = RnnCheckpoints.fromCheckpoint(backend, part(parsed, "smoother", SMOOTHER)).model();
        } else {
            cnn = ModelCheckpoints.fromCheckpoint(backend, parsed);
        }
        int[] in = cnn.inputShape();
        if (in.length != 3 || Arrays.stream(in).anyMatch(d -> d <= 0)) {
            throw shape("a frame model's CNN takes [channels, height, width] inputs, this one takes "
                    + Arrays.toString(in));
        }
        List<Layer> layers = cnn.layers();
        if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof Dense)) {
            throw shape("a frame model's CNN must end in a dense classifier layer (its input is the frame's features)");
        }
        int[] features = featureShape(cnn);
        int featureSize = features[1];
        int classes = cnn.outputShape(withBatch(in))[1];
        if (smoother != null) {
            ModelConfig c = smoother.config();
            if (c.tokenInput() || c.inputSize() != featureSize || c.task() != Task.CLASSIFICATION
                    || c.outputSize() != classes || c.outputType() != OutputType.MANY_TO_MANY) {
                throw shape("the smoother must be a many-to-many classifier of " + featureSize + " features into "
                        + classes + " classes; it is " + c.toJson());
            }
        }
        Map<String, String> meta = parsed.metadata();
        String id = modelId != null ? modelId
                : meta.getOrDefault(META_ID, meta.getOrDefault(TRAINED_ID,
                meta.getOrDefault("model", "frames")));
        long v = version >= 0 ? version : ServedModel.versionOf(meta.get(META_VERSION));
        return new ServedFrameModel(backend, id, v, checkpoint, cnn, smoother, featureSize, classes);
    }

    private static Checkpoint part(Checkpoint whole, String field, String prefix) throws CheckpointException {
        JsonNode arch = whole.architecture().get(field);
        if (arch == null || !arch.isObject()) {
            throw new CheckpointException(CheckpointException.Reason.MALFORMED_HEADER,
                    "frame model checkpoint has no '" + field + "' architecture", null);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        whole.tensors().forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                tensors.put(name.substring(prefix.length()), t);
            }
        });
        return Checkpoint.of(arch, whole.metadata(), tensors);
    }

    private static int[] featureShape(Sequential cnn) throws CheckpointException {
        int[] s = withBatch(cnn.inputShape());
        List<Layer> layers = cnn.layers();
        for (int i = 0; i < layers.size() - 1; i++) {
            s = layers.get(i).outputShape(s);
        }
        if (s.length != 2) {
            throw shape("the CNN's classifier layer reads " + Arrays.toString(s) + ", not a flat feature vector");
        }
        return s;
    }

    private static int[] withBatch(int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static CheckpointException shape(String message) {
        return new CheckpointException(CheckpointException.Reason.SHAPE_MISMATCH, message, null);
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public long version() {
        return version;
    }

    /** The checkpoint bytes this model was loaded from: what travels in Flink state. */
    @Override
    public byte[] checkpoint() {
        return checkpoint;
    }

    public Sequential cnn() {
        return cnn;
    }

    /** The backend {@link #cnn} computes on (the one it was loaded on). */
    public Backend backend() {
        return backend;
    }

    /** A second CNN with this one's weights and its own buffers (for another batch size). */
    public Sequential copyCnn(Backend backend) {
        try {
            return load(backend, checkpoint, modelId, version).cnn();
        } catch (CheckpointException e) {
            throw new IllegalStateException("a loaded frame model's own checkpoint no longer loads", e);
        }
    }

    /** The per-camera smoother, or null when the model has none. */
    public SequenceModel smoother() {
        return smoother;
    }

    public boolean hasSmoother() {
        return smoother != null;
    }

    /** [channels, height, width] of the frames this model reads. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    public int channels() {
        return inputShape[0];
    }

    public int height() {
        return inputShape[1];
    }

    public int width() {
        return inputShape[2];
    }

    public int classes() {
        return classes;
    }

    /** Width of the feature vector the classifier layer (and the smoother) reads. */
    public int featureSize() {
        return featureSize;
    }

    /** Whether per-camera smoother states written under {@code other} can be read by this model. */
    @Override
    public boolean readsStateOf(ServedFrameModel other) {
        if (other == null || hasSmoother() != other.hasSmoother()) {
            return false;
        }
        return !hasSmoother() || smoother.stateLayout().equals(other.smoother.stateLayout());
    }

    @Override
    public String toString() {
        return modelId + " v" + version + " (cnn " + Arrays.toString(inputShape) + " -> " + featureSize + " features -> "
                + classes + " classes" + (hasSmoother() ? ", smoother " + smoother.config().cell() + " hidden "
                + smoother.config().hidden() : "") + ")";
    }
}
