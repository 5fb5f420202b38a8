package io.streamnet.interop.pytorch;

import io.streamnet.interop.ImportException;
import io.streamnet.interop.JsonFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The ARCH file of a recurrent PyTorch model: which modules of its {@code state_dict} are the
 * embedding, the {@code nn.RNN}/{@code nn.LSTM}/{@code nn.GRU} stack and the {@code nn.Linear}
 * head, and what the head computes. Sizes (vocabulary, embedding, input, hidden, layers, outputs)
 * are read from the tensors' shapes, not declared. Example (docs/import.md has more):
 * <pre>{"format": "streamnet-arch/1", "family": "recurrent", "cell": "gru", "embedding": "embed",
 *  "recurrent": "gru", "head": "fc", "task": "classification", "output": "many_to_one",
 *  "vocabulary": {"kind": "word", "tokens": ["&lt;unk&gt;", "good", "bad"]}}</pre>
 */
public record RecurrentArch(CellType cell, String embedding, String recurrent, String head, Task task,
                            OutputType output, Vocabulary vocabulary) {
    public static final String FORMAT = "streamnet-arch/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("format", "family", "cell", "embedding", "recurrent", "head", "task",
            "output", "vocabulary", "comment");

    public RecurrentArch {
        if (cell == null || recurrent == null || head == null || task == null || output == null) {
            throw new IllegalArgumentException("cell, recurrent, head, task and output are required");
        }
        if (output != OutputType.MANY_TO_ONE && output != OutputType.MANY_TO_MANY) {
            throw new IllegalArgumentException("output must be many_to_one or many_to_many, got " + output);
        }
        if (embedding == null && vocabulary != null) {
            throw new IllegalArgumentException("a vocabulary needs an embedding (token input)");
        }
    }

    public boolean tokenInput() {
        return embedding != null;
    }

    public static RecurrentArch read(Path file) throws IOException, ImportException {
        return parse(JsonFiles.read(file, JsonFiles.MAX_ARCH_BYTES, "ARCH"));
    }

    public static RecurrentArch parse(JsonNode n) throws ImportException {
        if (n == null || !n.isObject()) {
            throw new ImportException("ARCH must be a JSON object");
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ImportException("ARCH has an unknown field '" + f + "' (fields: " + FIELDS + ")");
            }
        }
        if (!FORMAT.equals(n.path("format").asText())) {
            throw new ImportException("ARCH format must be \"" + FORMAT + "\", got " + n.path("format"));
        }
        if (!"recurrent".equals(n.path("family").asText("recurrent"))) {
            throw new ImportException("ARCH family " + n.path("family") + ": only recurrent models import from "
                    + "safetensors so far");
        }
        try {
            Vocabulary vocab = n.has("vocabulary") ? Vocabulary.fromJson(n.get("vocabulary")) : null;
            return new RecurrentArch(CellType.parse(text(n, "cell")), n.hasNonNull("embedding") ? text(n, "embedding") : null,
                    text(n, "recurrent"), text(n, "head"), Task.valueOf(text(n, "task").toUpperCase(Locale.ROOT)),
                    OutputType.valueOf(text(n, "output").toUpperCase(Locale.ROOT)), vocab);
        } catch (IllegalArgumentException e) {
            throw new ImportException("ARCH: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) throws ImportException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ImportException("ARCH needs \"" + field + "\" (a string)");
        }
        return v.asText();
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("family", "recurrent");
        n.put("cell", cell.name().toLowerCase(Locale.ROOT));
        if (embedding != null) {
            n.put("embedding", embedding);
        }
        n.put("recurrent", recurrent);
        n.put("head", head);
        n.put("task", task.name().toLowerCase(Locale.ROOT));
        n.put("output", output.name().toLowerCase(Locale.ROOT));
        if (vocabulary != null) {
            n.set("vocabulary", vocabulary.toJson());
        }
        return n;
    }
}
