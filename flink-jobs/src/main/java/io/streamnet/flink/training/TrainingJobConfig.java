package io.streamnet.flink.training;

import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.training.HeldOutSlice;
import io.streamnet.serving.training.OwnerPolicy;
import java.time.Duration;
import java.util.ArrayList;
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
    /** PKCS#8 Ed25519 key the updates are signed with (null: unsigned). */
    public byte[] signingKey = null;

    public TrainingJobConfig() {
        super(PipelineTopics.TRAINING_EVENTS, "streamnet-training-job", "streamnet-training");
    }

    public TrainingOperatorConfig operatorConfig() {
        return new TrainingOperatorConfig(batchSize, batchMillis, stateTtl, maxModelBytes, maxStepsPerEvent, maxSteps, k1,
                windowsPerGradient, embeddingDropout, new HeldOutSlice(heldOutShare), trustedUpdateKey, seed);
    }

    public OwnerConfig ownerConfig() {
        return new OwnerConfig(optimizer, learningRate, momentum, weightDecay, decayEvery, decayGamma, clipNorm,
                maxStaleness, spikeFactor, new OwnerPolicy(gradientsPerUpdate, heldOutCapacity, minHeldOut,
                promotionMargin, rollbackWindow, rollbackMargin), publishEvery, signingKey);
    }

    public TrainingJobConfig validate() {
        List<String> problems = new ArrayList<>();
        validateCommon(problems);
        if (!followModelUpdates) {
            problems.add("the training job learns on the versions it publishes: it must follow model updates");
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
