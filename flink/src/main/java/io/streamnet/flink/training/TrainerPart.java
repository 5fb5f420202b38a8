package io.streamnet.flink.training;

import java.io.Serializable;

/**
 * What the training subtasks learn from and how.
 *
 * @param maxSteps           k2: a sequence is learned from its last this many tokens
 * @param k1                 many-to-many: a key's window is due every this many new steps (k1 <= k2)
 * @param windowsPerGradient labelled sequences (many-to-many: windows) per gradient
 * @param embeddingDropout   dropout on the embedded tokens while computing gradients (0: none)
 * @param heldOutShare       share of keys held out of training to score candidates on
 * @param heldOutSecret      the secret the held-out slice's keyed hash uses (at least 16 bytes); null: one is
 *                           generated at the job's first start and kept in its state, so a restore holds out the
 *                           same keys
 * @param seed               seed of dropout
 */
public record TrainerPart(int maxSteps, int k1, int windowsPerGradient, float embeddingDropout, double heldOutShare,
                          byte[] heldOutSecret, long seed) implements Serializable {
    public TrainerPart {
        heldOutSecret = heldOutSecret == null ? null : heldOutSecret.clone();
    }

    @Override
    public byte[] heldOutSecret() {
        return heldOutSecret == null ? null : heldOutSecret.clone();
    }
}
