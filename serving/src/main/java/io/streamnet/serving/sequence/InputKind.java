package io.streamnet.serving.sequence;

/** Which Avro record the input topic carries. */
public enum InputKind {
    /** TextEvent: text or token ids, for token models. */
    TEXT,
    /** StepEvent: a feature vector per step, for feature models. */
    STEP
}
