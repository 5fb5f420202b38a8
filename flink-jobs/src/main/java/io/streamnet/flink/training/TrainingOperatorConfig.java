package io.streamnet.flink.training;

import io.streamnet.serving.training.HeldOutSlice;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the training operator needs.
 *
 * @param maxSteps           a key's sequence is learned from its last this many tokens (the truncation, k2)
 * @param windowsPerGradient labelled sequences per batched forward/backward and per gradient shipped
 * @param heldOut            the keys never trained on: their sequences go to the model owner to score candidates
 */
public record TrainingOperatorConfig(int batchSize, long batchMillis, Duration stateTtl, int maxModelBytes,
                                     int maxStepsPerEvent, int maxSteps, int windowsPerGradient, HeldOutSlice heldOut,
                                     byte[] trustedKey, long seed) implements Serializable {
    public TrainingOperatorConfig {
        if (batchSize < 1 || batchMillis < 0 || maxSteps < 1 || windowsPerGradient < 1 || maxStepsPerEvent < 1
                || heldOut == null) {
            throw new IllegalArgumentException("training operator needs batch size, max steps, windows per gradient "
                    + "and max steps per event >= 1, batch millis >= 0 and a held-out slice");
        }
    }
}
