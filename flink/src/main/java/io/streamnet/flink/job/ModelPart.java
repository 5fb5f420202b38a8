package io.streamnet.flink.job;

import java.io.Serializable;

/**
 * What a job takes from the model-updates topic.
 *
 * @param followUpdates    listen for model updates while running (false: serve the initial model only)
 * @param maxModelBytes    largest model update accepted
 * @param trustedUpdateKey the X.509 encoding of the Ed25519 public key updates must be signed by
 *                         ({@code UpdateSignatures.readPublicKey}); null: unsigned updates are accepted (logged once)
 */
public record ModelPart(boolean followUpdates, int maxModelBytes, byte[] trustedUpdateKey) implements Serializable {
    public ModelPart {
        trustedUpdateKey = trustedUpdateKey == null ? null : trustedUpdateKey.clone();
    }

    @Override
    public byte[] trustedUpdateKey() {
        return trustedUpdateKey == null ? null : trustedUpdateKey.clone();
    }
}
