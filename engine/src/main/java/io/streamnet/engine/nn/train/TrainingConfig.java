package io.streamnet.engine.nn.train;

/**
 * How a classifier is trained: epochs, mini-batch size, shuffling seed, and gradient clipping by
 * global norm ({@code clipNorm <= 0} disables it).
 */
public record TrainingConfig(int epochs, int batchSize, long seed, float clipNorm) {
    public TrainingConfig {
        if (epochs <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("epochs and batchSize must be positive, got " + epochs + ", " + batchSize);
        }
    }
}
