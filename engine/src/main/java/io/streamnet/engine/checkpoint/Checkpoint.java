package io.streamnet.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's saved form: format version, architecture JSON, string metadata (model id, version,
 * metrics) and named tensors in a fixed order. Maps and the architecture are copied on the way in
 * and out; the tensors are shared, not copied, since they can be gigabytes.
 */
public final class Checkpoint {
    private final int formatVersion;
    private final JsonNode architecture;
    private final Map<String, String> metadata;
    private final Map<String, Tensor> tensors;

    Checkpoint(int formatVersion, JsonNode architecture, Map<String, String> metadata, Map<String, Tensor> tensors) {
        this.formatVersion = formatVersion;
        this.architecture = Objects.requireNonNull(architecture, "architecture").deepCopy();
        Map<String, String> meta = new LinkedHashMap<>();
        metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, "metadata key"),
                Objects.requireNonNull(v, () -> "metadata value of " + k)));
        Map<String, Tensor> ts = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("tensor names must be non-empty");
            }
            ts.put(name, Objects.requireNonNull(t, () -> "tensor " + name));
        });
        this.metadata = Collections.unmodifiableMap(meta);
        this.tensors = Collections.unmodifiableMap(ts);
    }

    /** A checkpoint in the current format; {@code tensors}' iteration order is the file order. */
    public static Checkpoint of(JsonNode architecture, Map<String, String> metadata, Map<String, Tensor> tensors) {
        return new Checkpoint(CheckpointFormat.VERSION, architecture, metadata, tensors);
    }

    public static Builder builder(JsonNode architecture) {
        return new Builder(architecture);
    }

    /** The version this checkpoint was read from, or the current one for a new checkpoint. */
    public int formatVersion() {
        return formatVersion;
    }

    public JsonNode architecture() {
        return architecture.deepCopy();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    /** The tensor {@code name}, which must exist with exactly {@code shape}; else SHAPE_MISMATCH. */
    public Tensor expectTensor(String name, int... shape) throws CheckpointException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(Reason.SHAPE_MISMATCH, "checkpoint has no tensor '" + name
                    + "' (expected shape " + Arrays.toString(shape) + "; it has " + tensors.keySet() + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(Reason.SHAPE_MISMATCH, "tensor '" + name + "' has shape "
                    + t.shapeString() + " but " + Arrays.toString(shape) + " was expected");
        }
        return t;
    }

    /**
     * Requires exactly the expected tensors with exactly their shapes, so an incompatible model
     * update is refused as a whole; the message lists every difference.
     */
    public void requireShapes(Map<String, int[]> expected) throws CheckpointException {
        List<String> problems = new ArrayList<>();
        expected.forEach((name, shape) -> {
            Tensor t = tensors.get(name);
            if (t == null) {
                problems.add("tensor '" + name + "' " + Arrays.toString(shape) + " is missing");
            } else if (!Arrays.equals(t.shape(), shape)) {
                problems.add("tensor '" + name + "' has shape " + t.shapeString() + " but "
                        + Arrays.toString(shape) + " was expected");
            }
        });
        tensors.forEach((name, t) -> {
            if (!expected.containsKey(name)) {
                problems.add("unexpected tensor '" + name + "' " + t.shapeString());
            }
        });
        if (!problems.isEmpty()) {
            throw new CheckpointException(Reason.SHAPE_MISMATCH,
                    "checkpoint does not match the expected shapes: " + String.join("; ", problems));
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[v" + formatVersion + ", " + tensors.size() + " tensors, " + parameterCount()
                + " parameters, metadata " + metadata + "]";
    }

    /** Collects metadata and tensors in order; layers add their tensors as they are visited. */
    public static final class Builder {
        private final JsonNode architecture;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Tensor> tensors = new LinkedHashMap<>();

        private Builder(JsonNode architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
        }

        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Builder tensor(String name, Tensor tensor) {
            if (tensors.putIfAbsent(name, tensor) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            return this;
        }

        public Checkpoint build() {
            return of(architecture, metadata, tensors);
        }
    }
}
