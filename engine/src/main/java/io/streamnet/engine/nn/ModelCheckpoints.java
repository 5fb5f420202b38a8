package io.streamnet.engine.nn;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link Sequential} model to and from the checkpoint format: architecture JSON plus named weights. */
public final class ModelCheckpoints {
    private ModelCheckpoints() {
    }

    public static Checkpoint toCheckpoint(Sequential model, Map<String, String> metadata) {
        Checkpoint.Builder b = Checkpoint.builder(model.architecture());
        metadata.forEach(b::metadata);
        model.store().values().forEach(b::tensor);
        return b.build();
    }

    public static void save(Sequential model, Map<String, String> metadata, Path path) throws IOException {
        Checkpoints.write(toCheckpoint(model, metadata), path);
    }

    /**
     * Rebuilds the model its architecture describes and loads its weights; every weight must exist
     * with the shape the architecture implies, else a {@link CheckpointException} (SHAPE_MISMATCH).
     */
    public static Sequential fromCheckpoint(Backend backend, Checkpoint checkpoint) throws CheckpointException {
        Sequential model;
        try {
            model = Sequential.fromArchitecture(backend, checkpoint.architecture(), 0L, checkpoint.parameterCount());
        } catch (ParameterStore.BudgetExceededException e) {
            throw new CheckpointException(CheckpointException.Reason.SHAPE_MISMATCH,
                    "checkpoint architecture needs more weights than the checkpoint carries: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Reason.MALFORMED_HEADER,
                    "checkpoint architecture cannot be built: " + e.getMessage(), e);
        }
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.store().values().entrySet()) {
            expected.put(e.getKey(), e.getValue().shape());
        }
        checkpoint.requireShapes(expected);
        model.store().load(checkpoint.tensors());
        return model;
    }

    public static Sequential load(Backend backend, Path path) throws IOException {
        return fromCheckpoint(backend, Checkpoints.read(path));
    }
}
