package io.streamnet.serving.model;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;

/**
 * A validated sequence model (RNN, LSTM or GRU) ready to serve: its identity (id, version), the
 * checkpoint bytes it came from, and the loaded model and vocabulary.
 */
public record ServedSequenceModel(String modelId, long version, byte[] checkpoint, SequenceModel model,
                                  Vocabulary vocabulary) implements ServedModel<ServedSequenceModel> {
    /**
     * Validates and loads checkpoint bytes (magic, checksum, sizes, shapes, NaN/Inf — the checkpoint
     * format's checks — and that it describes a sequence model). The id and version come from the
     * checkpoint's metadata unless given (non-null / non-negative).
     */
    public static ServedSequenceModel load(Backend backend, byte[] checkpoint, String modelId, long version)
            throws CheckpointException {
        return load(backend, checkpoint, Checkpoints.fromBytes(checkpoint), modelId, version);
    }

    /** As {@link #load(Backend, byte[], String, long)}, for bytes the caller has already parsed into {@code parsed}. */
    public static ServedSequenceModel load(Backend backend, byte[] checkpoint, Checkpoint parsed, String modelId,
                                           long version) throws CheckpointException {
        RnnCheckpoints.Loaded l = RnnCheckpoints.fromCheckpoint(backend, parsed);
        String id = modelId != null ? modelId
                : l.metadata().getOrDefault(META_ID, l.metadata().getOrDefault(TRAINED_ID, "model"));
        long v = version >= 0 ? version : ServedModel.versionOf(l.metadata().get(META_VERSION));
        return new ServedSequenceModel(id, v, checkpoint, l.model(), l.vocabulary());
    }

    @Override
    public boolean readsStateOf(ServedSequenceModel other) {
        return other != null && model.stateLayout().equals(other.model.stateLayout());
    }

    @Override
    public String toString() {
        return modelId + " v" + version + " (" + model.config().cell() + ", hidden " + model.config().hidden() + " x "
                + model.config().layers() + ")";
    }
}
