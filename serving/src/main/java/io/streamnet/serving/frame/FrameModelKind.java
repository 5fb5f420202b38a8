package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;

/** Frame models (a CNN, optionally with its smoother) in a {@link ModelSlot}, loaded on the process's backend. */
public final class FrameModelKind implements ModelSlot.Kind<ServedFrameModel> {
    @Override
    public ServedFrameModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return ServedFrameModel.load(Backends.get(), checkpoint, modelId, version);
    }

    @Override
    public ServedFrameModel validate(ModelUpdate update) throws ModelRejected {
        return ModelUpdates.validateFrames(Backends.get(), update);
    }
}
