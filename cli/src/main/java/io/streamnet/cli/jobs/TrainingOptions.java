package io.streamnet.cli.jobs;

import io.streamnet.flink.training.OwnerConfig;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The online training job's own options ({@code streamnet run training}); the shared ones are {@link JobOptions}. */
public final class TrainingOptions {
    @Option(names = "--input", defaultValue = PipelineTopics.TRAINING_EVENTS, description = "Topic of labelled text events to learn from (default ${DEFAULT-VALUE}).")
    public String input = PipelineTopics.TRAINING_EVENTS;

    @Option(names = "--untrained", description = "Start from the model's architecture and vocabulary with untrained weights (version 0; implies --fresh).")
    public boolean untrained;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of --untrained weights and of dropout (default ${DEFAULT-VALUE}).")
    public long seed = 1;

    @Option(names = "--max-steps", defaultValue = "64", description = "A sequence is learned from its last this many tokens, k2 (default ${DEFAULT-VALUE}).")
    public int maxSteps = 64;

    @Option(names = "--windows-per-gradient", defaultValue = "32", description = "Labelled sequences per batched forward/backward and per gradient (default ${DEFAULT-VALUE}).")
    public int windowsPerGradient = 32;

    @Option(names = "--embedding-dropout", defaultValue = "0", description = "Dropout on the embedded tokens while learning (default ${DEFAULT-VALUE}).")
    public float embeddingDropout = 0f;

    @Option(names = "--held-out", defaultValue = "0.1", description = "Share of keys never trained on, scoring candidates (default ${DEFAULT-VALUE}).")
    public double heldOut = 0.1;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (with --momentum) (default ${DEFAULT-VALUE}).")
    public String optimizer = "adam";

    @Option(names = "--learning-rate", defaultValue = "0.003", description = "Learning rate (default ${DEFAULT-VALUE}).")
    public float learningRate = 3e-3f;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default ${DEFAULT-VALUE}).")
    public float momentum = 0.9f;

    @Option(names = "--weight-decay", defaultValue = "0.001", description = "L2 weight decay (default ${DEFAULT-VALUE}).")
    public float weightDecay = 1e-3f;

    @Option(names = "--decay-every", defaultValue = "0", description = "Multiply the learning rate by --decay-gamma every this many steps (0: constant; default ${DEFAULT-VALUE}).")
    public long decayEvery = 0;

    @Option(names = "--decay-gamma", defaultValue = "0.5", description = "Learning-rate step factor (default ${DEFAULT-VALUE}).")
    public float decayGamma = 0.5f;

    @Option(names = "--clip-norm", defaultValue = "5", description = "Clip gradients to this global norm, 0: off (default ${DEFAULT-VALUE}).")
    public float clipNorm = 5f;

    @Option(names = "--gradients-per-update", defaultValue = "4", description = "A candidate version every this many applied gradients (default ${DEFAULT-VALUE}).")
    public int gradientsPerUpdate = 4;

    @Option(names = "--publish-every", defaultValue = "10", description = "...or at least every this many seconds while gradients arrive (default ${DEFAULT-VALUE}).")
    public long publishEverySeconds = 10;

    @Option(names = "--max-staleness", defaultValue = "8", description = "Drop a gradient computed on a version more than this many behind the newest committed one (default ${DEFAULT-VALUE}).")
    public long maxStaleness = 8;

    @Option(names = "--spike-factor", defaultValue = "10", description = "Drop a gradient whose loss exceeds this times the running median (default ${DEFAULT-VALUE}).")
    public double spikeFactor = 10;

    @Option(names = "--held-out-size", defaultValue = "500", description = "Newest held-out sequences candidates are scored on (default ${DEFAULT-VALUE}).")
    public int heldOutSize = 500;

    @Option(names = "--min-held-out", defaultValue = "50", description = "Below this many held-out sequences, candidates are promoted unscored (default ${DEFAULT-VALUE}).")
    public int minHeldOut = 50;

    @Option(names = "--promotion-margin", defaultValue = "0.03", description = "Promote a candidate scoring at least the serving model's minus this (default ${DEFAULT-VALUE}).")
    public double promotionMargin = 0.03;

    @Option(names = "--rollback-window", defaultValue = "100", description = "Held-out sequences after a promotion that judge it live (default ${DEFAULT-VALUE}).")
    public int rollbackWindow = 100;

    @Option(names = "--rollback-margin", defaultValue = "0.05", description = "Roll back a promoted model scoring below its parent minus this live (default ${DEFAULT-VALUE}).")
    public double rollbackMargin = 0.05;

    @Option(names = "--sign-key", paramLabel = "FILE", description = "Ed25519 private key (PEM, from 'streamnet keygen') the published versions are signed with; read where the model owner runs (mount it there), and its public key is the one the training subtasks trust.")
    public Path signKey;

    @Option(names = "--held-out-secret", paramLabel = "FILE", description = "File whose bytes (at least 16) key the hash that picks the held-out keys (default: generated at the first start and kept in the job's state).")
    public Path heldOutSecret;

    /** Sets these options on {@code b}. */
    public TrainingJobConfig.Builder apply(TrainingJobConfig.Builder b) throws java.io.IOException {
        return b.inputTopic(input)
                .seed(seed)
                .maxSteps(maxSteps)
                .windowsPerGradient(windowsPerGradient)
                .heldOutShare(heldOut)
                .embeddingDropout(embeddingDropout)
                .optimizer(OwnerConfig.Kind.valueOf(optimizer.trim().toUpperCase(Locale.ROOT)))
                .learningRate(learningRate)
                .momentum(momentum)
                .weightDecay(weightDecay)
                .decayEvery(decayEvery)
                .decayGamma(decayGamma)
                .clipNorm(clipNorm)
                .gradientsPerUpdate(gradientsPerUpdate)
                .publishEvery(Duration.ofSeconds(publishEverySeconds))
                .maxStaleness(maxStaleness)
                .spikeFactor(spikeFactor)
                .heldOutCapacity(heldOutSize)
                .minHeldOut(minHeldOut)
                .promotionMargin(promotionMargin)
                .rollbackWindow(rollbackWindow)
                .rollbackMargin(rollbackMargin)
                // only the path goes into the job: the owner reads the key where it runs
                .signingKeyFile(signKey == null ? null : signKey.toAbsolutePath().toString())
                .heldOutSecret(heldOutSecret == null ? null : readSecret(heldOutSecret));
    }

    private static byte[] readSecret(Path file) throws java.io.IOException {
        if (java.nio.file.Files.size(file) > 4096) {
            throw new IllegalArgumentException("--held-out-secret " + file + " is over 4 KiB: not a secret file");
        }
        return java.nio.file.Files.readAllBytes(file);
    }
}
