package io.streamnet.rnn.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.rnn.cell.CellType;

/**
 * The architecture of a sequence model. Input is either token ids through an embedding
 * ({@code vocabSize > 0}) or float feature vectors of {@code inputSize}. For SEQ2SEQ the decoder reads
 * its own previous output, so its input size is {@code outputSize}.
 */
public record ModelConfig(CellType cell, int vocabSize, int embeddingDim, int inputSize, int hidden, int layers,
                          float dropout, int outputSize, Task task, OutputType outputType) {
    public static final String TYPE = "sequence-model";

    public ModelConfig {
        if (cell == null || task == null || outputType == null) {
            throw new IllegalArgumentException("cell, task and outputType are required");
        }
        if (hidden <= 0 || layers <= 0 || outputSize <= 0) {
            throw new IllegalArgumentException("hidden, layers and outputSize must be positive, got " + hidden + ", "
                    + layers + ", " + outputSize);
        }
        if (vocabSize > 0 ? embeddingDim <= 0 : inputSize <= 0) {
            throw new IllegalArgumentException(vocabSize > 0 ? "token input needs embeddingDim > 0"
                    : "feature input needs inputSize > 0 (or vocabSize > 0 for tokens)");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (outputType == OutputType.SEQ2SEQ && (task != Task.REGRESSION || vocabSize > 0)) {
            throw new IllegalArgumentException("SEQ2SEQ forecasts values from feature input: use task REGRESSION and no vocabulary");
        }
    }

    /** Token input: embedding of {@code vocabSize} ids into {@code embeddingDim}. */
    public static ModelConfig tokens(CellType cell, int vocabSize, int embeddingDim, int hidden, int layers,
                                     float dropout, int classes, OutputType type) {
        return new ModelConfig(cell, vocabSize, embeddingDim, 0, hidden, layers, dropout, classes,
                Task.CLASSIFICATION, type);
    }

    /** Feature input of {@code inputSize} floats per step. */
    public static ModelConfig features(CellType cell, int inputSize, int hidden, int layers, float dropout,
                                       int outputSize, Task task, OutputType type) {
        return new ModelConfig(cell, 0, 0, inputSize, hidden, layers, dropout, outputSize, task, type);
    }

    public boolean tokenInput() {
        return vocabSize > 0;
    }

    /** Width of the vector the first recurrent layer reads. */
    public int stepInputSize() {
        return tokenInput() ? embeddingDim : inputSize;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", TYPE);
        n.put("cell", cell.name().toLowerCase(java.util.Locale.ROOT));
        n.put("vocabSize", vocabSize);
        n.put("embeddingDim", embeddingDim);
        n.put("inputSize", inputSize);
        n.put("hidden", hidden);
        n.put("layers", layers);
        n.put("dropout", dropout);
        n.put("outputSize", outputSize);
        n.put("task", task.name());
        n.put("outputType", outputType.name());
        return n;
    }

    public static ModelConfig fromJson(JsonNode n) {
        if (!TYPE.equals(n.path("type").asText())) {
            throw new IllegalArgumentException("architecture type must be '" + TYPE + "' but is '"
                    + n.path("type").asText() + "'");
        }
        return new ModelConfig(CellType.parse(n.path("cell").asText()), n.path("vocabSize").asInt(),
                n.path("embeddingDim").asInt(), n.path("inputSize").asInt(), n.path("hidden").asInt(),
                n.path("layers").asInt(), (float) n.path("dropout").asDouble(), n.path("outputSize").asInt(),
                Task.valueOf(n.path("task").asText()), OutputType.valueOf(n.path("outputType").asText()));
    }
}
