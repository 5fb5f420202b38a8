package io.streamnet.training;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceModelKind;

/**
 * The models a training runtime learns on: what the many-to-one serving slot accepts, and only a
 * token MANY_TO_ONE (labelled sequences), token MANY_TO_MANY (next-token) or feature MANY_TO_MANY
 * (labelled steps) model with the very architecture (vocabulary included) it trains, since its
 * gradients must fit the model owner's parameters. Anything else on the topic is refused as
 * INCOMPATIBLE, never trained on.
 */
public final class TrainableModelKind implements ModelSlot.Kind<ServedSequenceModel> {
    private final SequenceModelKind serving = new SequenceModelKind(OutputMode.MANY_TO_ONE);

    @Override
    public ServedSequenceModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return serving.load(checkpoint, modelId, version);
    }

    @Override
    public ServedSequenceModel validate(ModelUpdate update) throws ModelRejected {
        return serving.validate(update);
    }

    @Override
    public String incompatibility(ServedSequenceModel m, ServedSequenceModel current) {
        var c = m.model().config();
        boolean trainable = c.outputType() == OutputType.MANY_TO_MANY
                || (c.tokenInput() && c.outputType() == OutputType.MANY_TO_ONE);
        if (!trainable) {
            return "online training learns token MANY_TO_ONE and token or feature MANY_TO_MANY models, this is a "
                    + (c.tokenInput() ? "token " : "feature ") + c.outputType() + " model";
        }
        if (current != null && !architecture(m).equals(architecture(current))) {
            return "the training job trains " + architecture(current) + "; the update is " + architecture(m);
        }
        return serving.incompatibility(m, current);
    }

    @Override
    public String canary(ServedSequenceModel candidate) {
        return serving.canary(candidate);
    }

    static String architecture(ServedSequenceModel m) {
        try {
            return io.streamnet.engine.checkpoint.Checkpoints.fromBytes(m.checkpoint()).architecture().toString();
        } catch (CheckpointException e) {
            throw new IllegalStateException("a loaded model's checkpoint no longer parses", e);
        }
    }
}
