package io.streamnet.flink.training;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.training.HeldOutSlice;
import io.streamnet.training.OwnerKey;
import io.streamnet.training.OwnerPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The online training job's settings: the parts every job has ({@link KafkaJobConfig}), the
 * trainers' ({@link TrainerPart}) and the model owner's ({@link OwnerPart}), with defaults that work
 * against a local broker and learn the sentiment model at about the offline recipe's pace.
 * Validated once in {@code build()}.
 */
public final class TrainingJobConfig extends KafkaJobConfig {
    private static final long serialVersionUID = 2L;

    private final TrainerPart trainer;
    private final OwnerPart owner;

    private TrainingJobConfig(Builder b) {
        super(b);
        trainer = new TrainerPart(b.maxSteps, b.k1, b.windowsPerGradient, b.embeddingDropout, b.heldOutShare,
                b.heldOutSecret, b.seed);
        owner = new OwnerPart(b.optimizer, b.learningRate, b.momentum, b.weightDecay, b.decayEvery, b.decayGamma,
                b.clipNorm, b.maxStaleness, b.spikeFactor, b.gradientsPerUpdate, b.publishEvery, b.heldOutCapacity,
                b.minHeldOut, b.promotionMargin, b.rollbackWindow, b.rollbackMargin, b.signingKeyFile);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings, to build one that differs in a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public TrainerPart trainer() {
        return trainer;
    }

    public OwnerPart owner() {
        return owner;
    }

    /**
     * The training operator's part. Without a held-out secret, each call generates one for this
     * build (a restore replaces it with the one kept in state).
     */
    public TrainingOperatorConfig operatorConfig() {
        byte[] secret = trainer.heldOutSecret();
        return new TrainingOperatorConfig(batching().size(), batching().maxWaitMillis(), limits().stateTtl(),
                model().maxModelBytes(), limits().maxStepsPerEvent(), trainer.maxSteps(), trainer.k1(),
                trainer.windowsPerGradient(), trainer.embeddingDropout(), new HeldOutSlice(trainer.heldOutShare(),
                secret != null ? secret : HeldOutSlice.newSecret()), secret != null, limits().order(), trainingKey(),
                trainer.seed());
    }

    /** The model owner's part; its owner id is the job's group id. */
    public OwnerConfig ownerConfig() {
        OwnerPart o = owner;
        return new OwnerConfig(o.optimizer(), o.learningRate(), o.momentum(), o.weightDecay(), o.decayEvery(),
                o.decayGamma(), o.clipNorm(), o.maxStaleness(), o.spikeFactor(), new OwnerPolicy(o.gradientsPerUpdate(),
                o.heldOutCapacity(), o.minHeldOut(), o.promotionMargin(), o.rollbackWindow(), o.rollbackMargin()),
                o.publishEvery(), o.signingKeyFile(), kafka().groupId());
    }

    /**
     * The key the training subtasks check updates against: with a signing key, its public key (they
     * then learn only on what this job signed: an unsigned copy on the topic cannot steer what the
     * owner signs next); without one, the trusted update key, if any.
     *
     * @throws IllegalArgumentException the signing key cannot be read, or a trusted key is not its public key
     */
    public byte[] trainingKey() {
        return trainingKey(owner.signingKeyFile(), model().trustedUpdateKey());
    }

    private static byte[] trainingKey(String signingKeyFile, byte[] trustedUpdateKey) {
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

    public static final class Builder extends KafkaJobConfigBuilder<TrainingJobConfig, Builder> {
        private int maxSteps = 64;
        private int k1 = 32;
        private int windowsPerGradient = 32;
        private float embeddingDropout = 0f;
        private double heldOutShare = 0.1;
        private byte[] heldOutSecret;
        private long seed = 1;
        private OwnerConfig.Kind optimizer = OwnerConfig.Kind.ADAM;
        private float learningRate = 3e-3f;
        private float momentum = 0.9f;
        private float weightDecay = 1e-3f;
        private long decayEvery = 0;
        private float decayGamma = 0.5f;
        private float clipNorm = 5f;
        private long maxStaleness = 8;
        private double spikeFactor = 10;
        private int gradientsPerUpdate = 4;
        private Duration publishEvery = Duration.ofSeconds(10);
        private int heldOutCapacity = 500;
        private int minHeldOut = 50;
        private double promotionMargin = 0.03;
        private int rollbackWindow = 100;
        private double rollbackMargin = 0.05;
        private String signingKeyFile;

        private Builder() {
            super(PipelineTopics.TRAINING_EVENTS, "streamnet-training-job", "streamnet-training", 64);
        }

        private Builder(TrainingJobConfig c) {
            super(c);
            TrainerPart t = c.trainer;
            maxSteps = t.maxSteps();
            k1 = t.k1();
            windowsPerGradient = t.windowsPerGradient();
            embeddingDropout = t.embeddingDropout();
            heldOutShare = t.heldOutShare();
            heldOutSecret = t.heldOutSecret();
            seed = t.seed();
            OwnerPart o = c.owner;
            optimizer = o.optimizer();
            learningRate = o.learningRate();
            momentum = o.momentum();
            weightDecay = o.weightDecay();
            decayEvery = o.decayEvery();
            decayGamma = o.decayGamma();
            clipNorm = o.clipNorm();
            maxStaleness = o.maxStaleness();
            spikeFactor = o.spikeFactor();
            gradientsPerUpdate = o.gradientsPerUpdate();
            publishEvery = o.publishEvery();
            heldOutCapacity = o.heldOutCapacity();
            minHeldOut = o.minHeldOut();
            promotionMargin = o.promotionMargin();
            rollbackWindow = o.rollbackWindow();
            rollbackMargin = o.rollbackMargin();
            signingKeyFile = o.signingKeyFile();
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** k2: a sequence is learned from its last this many tokens. */
        public Builder maxSteps(int steps) {
            maxSteps = steps;
            return this;
        }

        /** Many-to-many: a key's window is due every this many new steps (k1 <= maxSteps = k2). */
        public Builder k1(int steps) {
            k1 = steps;
            return this;
        }

        public Builder windowsPerGradient(int windows) {
            windowsPerGradient = windows;
            return this;
        }

        public Builder embeddingDropout(float dropout) {
            embeddingDropout = dropout;
            return this;
        }

        public Builder heldOutShare(double share) {
            heldOutShare = share;
            return this;
        }

        public Builder heldOutSecret(byte[] secret) {
            heldOutSecret = secret == null ? null : secret.clone();
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder optimizer(OwnerConfig.Kind kind) {
            optimizer = kind;
            return this;
        }

        public Builder learningRate(float rate) {
            learningRate = rate;
            return this;
        }

        public Builder momentum(float m) {
            momentum = m;
            return this;
        }

        public Builder weightDecay(float decay) {
            weightDecay = decay;
            return this;
        }

        public Builder decayEvery(long steps) {
            decayEvery = steps;
            return this;
        }

        public Builder decayGamma(float gamma) {
            decayGamma = gamma;
            return this;
        }

        public Builder clipNorm(float norm) {
            clipNorm = norm;
            return this;
        }

        public Builder maxStaleness(long versions) {
            maxStaleness = versions;
            return this;
        }

        public Builder spikeFactor(double factor) {
            spikeFactor = factor;
            return this;
        }

        public Builder gradientsPerUpdate(int n) {
            gradientsPerUpdate = n;
            return this;
        }

        public Builder publishEvery(Duration every) {
            publishEvery = every;
            return this;
        }

        public Builder heldOutCapacity(int sequences) {
            heldOutCapacity = sequences;
            return this;
        }

        public Builder minHeldOut(int sequences) {
            minHeldOut = sequences;
            return this;
        }

        public Builder promotionMargin(double margin) {
            promotionMargin = margin;
            return this;
        }

        public Builder rollbackWindow(int sequences) {
            rollbackWindow = sequences;
            return this;
        }

        public Builder rollbackMargin(double margin) {
            rollbackMargin = margin;
            return this;
        }

        /**
         * The PEM file of the Ed25519 private key the updates are signed with (null: unsigned); the
         * training subtasks trust its public key, so they learn only on versions this job signed.
         */
        public Builder signingKeyFile(String pemFile) {
            signingKeyFile = pemFile;
            return this;
        }

        @Override
        public TrainingJobConfig build() {
            List<String> problems = commonProblems();
            if (!followsModelUpdates()) {
                problems.add("the training job learns on the versions it publishes: it must follow model updates");
            }
            if (trustedKey() != null && signingKeyFile == null) {
                problems.add("a trusted update key without a signing key: the job's own versions would be unsigned, "
                        + "its training subtasks would refuse them and every gradient would go stale after "
                        + maxStaleness + " versions; give the signing key whose public key it is (the subtasks then "
                        + "trust it), or neither");
            }
            TrainingJobConfig c = new TrainingJobConfig(this);
            collect(problems, c::operatorConfig);
            collect(problems, c::ownerConfig);
            throwIfAny("training job", problems);
            return c;
        }
    }
}
