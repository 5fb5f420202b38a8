package io.streamnet.flink.training;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the model owner applies gradients, judges candidates and publishes (see {@link OwnerConfig}
 * and {@code OwnerPolicy} for each setting).
 *
 * @param signingKeyFile the PEM file of the Ed25519 private key the updates are signed with (null: unsigned); only
 *                       its path travels in the job, the owner reads it where it runs
 */
public record OwnerPart(OwnerConfig.Kind optimizer, float learningRate, float momentum, float weightDecay,
                        long decayEvery, float decayGamma, float clipNorm, long maxStaleness, double spikeFactor,
                        int gradientsPerUpdate, Duration publishEvery, int heldOutCapacity, int minHeldOut,
                        double promotionMargin, int rollbackWindow, double rollbackMargin, String signingKeyFile)
        implements Serializable {
}
