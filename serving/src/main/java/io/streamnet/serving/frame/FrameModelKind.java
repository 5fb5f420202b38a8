package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceStepper;

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

    /**
     * Two synthetic frames of the model's shape (a gradient and its inverse) through the CNN, then
     * one smoother step of their features when the model has a smoother: no throw, finite outputs.
     */
    @Override
    public String canary(ServedFrameModel m) {
        try (FrameClassifier cnn = new FrameClassifier(m, Backends.get(), 2);
             SequenceStepper smoother = m.hasSmoother() ? new SequenceStepper(m.smoother(), m.modelId(), m.version(),
                     OutputMode.MANY_TO_MANY, 1, 2) : null) {
            int n = m.height() * m.width() * m.channels();
            for (int row = 0; row < 2; row++) {
                byte[] pixels = new byte[n];
                for (int i = 0; i < n; i++) {
                    pixels[i] = (byte) (row == 0 ? i * 255 / Math.max(1, n - 1) : 255 - i * 255 / Math.max(1, n - 1));
                }
                cnn.load(row, pixels);
            }
            if (cnn.run(2) > 0) {
                return cnn.failure(0) != null ? cnn.failure(0) : cnn.failure(1);
            }
            if (!m.hasSmoother()) {
                return null;
            }
            Tensor feats = cnn.features();
            for (int row = 0; row < 2; row++) {
                smoother.loadState(row, null);
                smoother.loadFeatures(row, feats.data(), feats.offset() + row * m.featureSize());
            }
            return smoother.run(2) > 0 ? "its smoother: " + smoother.failure(0) : null;
        }
    }
}
