package io.streamnet.serving.sequence;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;

/**
 * Sequence models in a {@link ModelSlot}: loaded on the process's backend, and servable only when
 * the output mode can use them and they read the input kind the runtime reads (a text job stays a
 * text job across swaps).
 */
public final class SequenceModelKind implements ModelSlot.Kind<ServedSequenceModel> {
    private final OutputMode mode;

    public SequenceModelKind(OutputMode mode) {
        this.mode = mode;
    }

    @Override
    public ServedSequenceModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return ServedSequenceModel.load(Backends.get(), checkpoint, modelId, version);
    }

    @Override
    public ServedSequenceModel validate(ModelUpdate update) throws ModelRejected {
        return ModelUpdates.validate(Backends.get(), update);
    }

    @Override
    public String incompatibility(ServedSequenceModel m, ServedSequenceModel serving) {
        String why = mode.incompatibility(m.model());
        boolean tokens = m.model().config().tokenInput();
        if (why == null && serving != null && tokens != serving.model().config().tokenInput()) {
            why = "the job reads " + (serving.model().config().tokenInput() ? "text" : "feature vectors")
                    + ", the update is a " + (tokens ? "token" : "feature") + " model";
        }
        return why;
    }
}
