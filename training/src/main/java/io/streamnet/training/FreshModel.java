package io.streamnet.training;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.Map;

/** An untrained start for online training: another model's architecture and vocabulary, weights drawn afresh. */
public final class FreshModel {
    private FreshModel() {
    }

    /** {@code like}'s architecture and vocabulary, initialized from {@code seed}, as {@code modelId} version {@code version}. */
    public static ServedSequenceModel of(ServedSequenceModel like, String modelId, long version, long seed)
            throws CheckpointException {
        SequenceModel m = new SequenceModel(like.model().backend(), like.model().config(), seed);
        byte[] bytes = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, like.vocabulary(), Map.of(
                ServedModel.META_ID, modelId, ServedModel.META_VERSION, Long.toString(version))));
        return new ServedSequenceModel(modelId, version, bytes, m, like.vocabulary());
    }
}
