package io.streamnet.flink.training;

import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.training.HeldOutSlice;
import io.streamnet.training.OwnerPolicy;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.training.OwnerKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything the online training job reads, typed, with defaults that work against a local broker
 * (and learn the sentiment model at about the offline recipe's pace), validated before the job is
 * built.
 */
public final class TrainingJobConfig extends KafkaJobConfig {
    private static final long serialVersionUID = 1L;

    public int batchSize = 64;
    public long batchMillis = 20;
    public int maxStepsPerEvent = SequenceInput.DEFAULT_MAX_STEPS;
    /** A sequence is learned from its last this many tokens (k2). */
    public int maxSteps = 64;
    /** Many-to-many: a key's window is due every this many new steps (k1 <= maxSteps = k2). */
    public int k1 = 32;
    /** Labelled sequences (many-to-many: windows) per gradient. */
    public int windowsPerGradient = 32;
    /** Dropout on the embedded tokens while computing gradients (0: none). */
    public float embeddingDropout = 0f;
    /** Share of keys held out of training to score candidates on. */
    public double heldOutShare = 0.1;
    public long seed = 1;

    public OwnerConfig.Kind optimizer = OwnerConfig.Kind.ADAM;
    public float learningRate = 3e-3f;
    public float momentum = 0.9f;
    public float weightDecay = 1e-3f;
    public long decayEvery = 0;
    public float decayGamma = 0.5f;
    public float clipNorm = 5f;
    public long maxStaleness = 8;
    public double spikeFactor = 10;
    public int gradientsPerUpdate = 4;
    public Duration publishEvery = Duration.ofSeconds(10);
    public int heldOutCapacity = 500;
    public int minHeldOut = 50;
    public double promotionMargin = 0.03;
    public int rollbackWindow = 100;
    public double rollbackMargin = 0.05;
    /**
     * The PEM file of the Ed25519 private key the updates are signed with (null: unsigned). Only its
     * path travels in the job; the owner reads it where it runs, and the training subtasks trust its
     * public key (derived from it), so they learn only on versions this job signed.
     */
    public String signingKeyFile = null;
    /**
     * The secret the held-out slice's keyed hash uses (at least 16 bytes); null: one is generated at
     * the job's first start and kept in its state, so a restore holds out the same keys.
     */
    public byte[] heldOutSecret = null;

    public TrainingJobConfig() {
        super(PipelineTopics.TRAINING_EVENTS, "streamnet-training-job", "streamnet-training");
    }

    public TrainingOperatorConfig operatorConfig() {
        return new TrainingOperatorConfig(batchSize, batchMillis, stateTtl, maxModelBytes, maxStepsPerEvent, maxSteps, k1,
                windowsPerGradient, embeddingDropout, new HeldOutSlice(heldOutShare,
                heldOutSecret != null ? heldOutSecret : HeldOutSlice.newSecret()), heldOutSecret != null,
                checkOrder ? EventOrder.CHECKED : EventOrder.UNCHECKED, trainingKey(), seed);
    }

    public OwnerConfig ownerConfig() {
        return new OwnerConfig(optimizer, learningRate, momentum, weightDecay, decayEvery, decayGamma, clipNorm,
                maxStaleness, spikeFactor, new OwnerPolicy(gradientsPerUpdate, heldOutCapacity, minHeldOut,
                promotionMargin, rollbackWindow, rollbackMargin), publishEvery, signingKeyFile, groupId);
    }

    /**
     * The key the training subtasks check updates against: with a signing key, its public key (they
     * then learn only on what this job signed: an unsigned copy on the topic cannot steer what the
     * owner signs next); without one, the trusted update key, if any.
     *
     * @throws IllegalArgumentException the signing key cannot be read, or a trusted key is not its public key
     */
    public byte[] trainingKey() {
        if (signingKeyFile == null) {
            return trustedUpdateKey;
        }
        byte[] own;
        try {
            own = OwnerKey.publicKeyOf(UpdateSignatures.readPrivateKey(Path.of(signingKeyFile))).getEncoded();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the signing key " + signingKeyFile + ": " + e.getMessage(), e);
        }
        if (trustedUpdateKey != null && !Arrays.equals(trustedUpdateKey, own)) {
            throw new IllegalArgumentException("the trusted update key is not the public key of the signing key "
                    + signingKeyFile + ": the training subtasks would refuse every version this job signs");
        }
        return own;
    }

    public TrainingJobConfig validate() {
        List<String> problems = new ArrayList<>();
        validateCommon(problems);
        if (!followModelUpdates) {
            problems.add("the training job learns on the versions it publishes: it must follow model updates");
        }
        if (trustedUpdateKey != null && signingKeyFile == null) {
            problems.add("a trusted update key without a signing key: the job's own versions would be unsigned, its "
                    + "training subtasks would refuse them and every gradient would go stale after " + maxStaleness
                    + " versions; give the signing key whose public key it is (the subtasks then trust it), or neither");
        }
        for (Runnable r : List.<Runnable>of(this::operatorConfig, this::ownerConfig)) {
            try {
                r.run();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        throwIfAny("training job", problems);
        return this;
    }
}
