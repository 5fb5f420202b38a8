package io.streamnet.flink.training;

import io.streamnet.serving.event.EventOrder;
import io.streamnet.training.HeldOutSlice;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the training operator needs.
 *
 * @param maxSteps           k2: a key's sequence is learned from its last this many tokens (many-to-one), a window
 *                           back-propagates through this many (many-to-many)
 * @param k1                 many-to-many: a key's window is due every this many new steps
 * @param windowsPerGradient labelled sequences per batched forward/backward and per gradient shipped
 * @param embeddingDropout   dropout on the embedded tokens while computing gradients (0: none)
 * @param heldOut            the keys never trained on: their sequences go to the model owner to score candidates
 * @param heldOutSecretGiven the slice's secret was set by the user; else it was generated for this build, and a
 *                           secret kept in the job's state (from its first run) is used instead
 * @param order              a key's events must come in increasing seq (DUPLICATE, OUT_OF_ORDER), as in serving
 * @param trustedKey         X.509 Ed25519 key model updates must be signed by (null: unsigned accepted)
 */
public record TrainingOperatorConfig(int batchSize, long batchMillis, Duration stateTtl, int maxModelBytes,
                                     int maxStepsPerEvent, int maxSteps, int k1, int windowsPerGradient,
                                     float embeddingDropout, HeldOutSlice heldOut, boolean heldOutSecretGiven,
                                     EventOrder order, byte[] trustedKey, long seed) implements Serializable {
    public TrainingOperatorConfig {
        if (batchSize < 1 || batchMillis < 0 || maxSteps < 1 || k1 < 1 || k1 > maxSteps || windowsPerGradient < 1
                || maxStepsPerEvent < 1 || heldOut == null || order == null
                || !(embeddingDropout >= 0f && embeddingDropout < 1f)) {
            throw new IllegalArgumentException("training operator needs batch size, windows per gradient and max steps "
                    + "per event >= 1, 1 <= k1 <= max steps (k2), batch millis >= 0, embedding dropout in [0, 1), a "
                    + "held-out slice and an order rule");
        }
    }

    /** With the order checked and the slice's secret as given (tests). */
    public TrainingOperatorConfig(int batchSize, long batchMillis, Duration stateTtl, int maxModelBytes,
                                  int maxStepsPerEvent, int maxSteps, int k1, int windowsPerGradient,
                                  float embeddingDropout, HeldOutSlice heldOut, byte[] trustedKey, long seed) {
        this(batchSize, batchMillis, stateTtl, maxModelBytes, maxStepsPerEvent, maxSteps, k1, windowsPerGradient,
                embeddingDropout, heldOut, true, EventOrder.CHECKED, trustedKey, seed);
    }
}
