package io.streamnet.rnn.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link SequenceModel} in the common checkpoint format: its {@link ModelConfig} and vocabulary
 * (so the checkpoint reads text exactly as in training) as the architecture, and its weights.
 */
public final class RnnCheckpoints {
    private RnnCheckpoints() {
    }

    /** A model and the vocabulary it reads (null for feature models). */
    public record Loaded(SequenceModel model, Vocabulary vocabulary, Map<String, String> metadata) {
    }

    public static Checkpoint toCheckpoint(SequenceModel model, Vocabulary vocabulary, Map<String, String> metadata) {
        ObjectNode arch = model.config().toJson();
        if (vocabulary != null) {
            if (vocabulary.size() != model.config().vocabSize()) {
                throw new IllegalArgumentException("vocabulary of " + vocabulary.size() + " tokens for a model of "
                        + model.config().vocabSize());
            }
            arch.set("vocabulary", vocabulary.toJson());
        }
        Checkpoint.Builder b = Checkpoint.builder(arch);
        metadata.forEach(b::metadata);
        model.store().values().forEach(b::tensor);
        return b.build();
    }

    public static void save(SequenceModel model, Vocabulary vocabulary, Map<String, String> metadata, Path path)
            throws IOException {
        Checkpoints.write(toCheckpoint(model, vocabulary, metadata), path);
    }

    public static Loaded fromCheckpoint(Backend backend, Checkpoint c) throws CheckpointException {
        JsonNode arch = c.architecture();
        ModelConfig config;
        Vocabulary vocab = null;
        try {
            config = ModelConfig.fromJson(arch);
            if (arch.has("vocabulary")) {
                vocab = Vocabulary.fromJson(arch.get("vocabulary"));
            }
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Reason.MALFORMED_HEADER,
                    "checkpoint does not describe a sequence model: " + e.getMessage(), e);
        }
        if (config.tokenInput() && (vocab == null || vocab.size() != config.vocabSize())) {
            throw new CheckpointException(CheckpointException.Reason.SHAPE_MISMATCH, "token model of vocabulary "
                    + config.vocabSize() + " carries " + (vocab == null ? "no vocabulary" : vocab.size() + " tokens"));
        }
        SequenceModel model;
        try {
            model = new SequenceModel(backend, config, 0L, c.parameterCount());
        } catch (ParameterStore.BudgetExceededException e) {
            throw new CheckpointException(CheckpointException.Reason.SHAPE_MISMATCH,
                    "checkpoint architecture needs more weights than the checkpoint carries: " + e.getMessage(), e);
        }
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.store().values().entrySet()) {
            expected.put(e.getKey(), e.getValue().shape());
        }
        c.requireShapes(expected);
        model.store().load(c.tensors());
        return new Loaded(model, vocab, c.metadata());
    }

    public static Loaded load(Backend backend, Path path) throws IOException {
        return fromCheckpoint(backend, Checkpoints.read(path));
    }
}
