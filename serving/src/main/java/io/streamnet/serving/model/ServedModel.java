package io.streamnet.serving.model;

/**
 * A validated model as a runtime serves it: its identity and the checkpoint bytes it came from
 * (what travels in Flink state, job graphs and Kafka: never Java-serialized objects).
 *
 * @param <M> the model's own type, whose keyed state the rule {@link #readsStateOf} compares
 */
public interface ServedModel<M extends ServedModel<M>> {
    /** Metadata keys a checkpoint may carry to name itself. */
    String META_ID = "modelId";
    String META_VERSION = "version";
    /** What {@code streamnet train} writes: "sentiment-gru", "charlm-lstm". */
    String TRAINED_ID = "model.id";

    String modelId();

    long version();

    byte[] checkpoint();

    /** Whether per-key state written under {@code other} can be read by this model (else every key starts afresh). */
    boolean readsStateOf(M other);

    /** The version a checkpoint's metadata names (1 when it names none or garbage). */
    static long versionOf(String s) {
        if (s == null) {
            return 1;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
