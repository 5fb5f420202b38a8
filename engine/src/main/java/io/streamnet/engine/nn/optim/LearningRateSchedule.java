package io.streamnet.engine.nn.optim;

/** The learning rate as a function of the optimizer step (0-based). */
@FunctionalInterface
public interface LearningRateSchedule {
    float rate(long step);

    static LearningRateSchedule constant(float lr) {
        requirePositive(lr);
        return step -> lr;
    }

    /** lr * gamma^(step / stepSize): drops by {@code gamma} every {@code stepSize} steps. */
    static LearningRateSchedule step(float lr, long stepSize, float gamma) {
        requirePositive(lr);
        if (stepSize <= 0 || !(gamma > 0f && gamma <= 1f)) {
            throw new IllegalArgumentException("step schedule needs stepSize > 0 and gamma in (0, 1], got "
                    + stepSize + ", " + gamma);
        }
        return step -> (float) (lr * Math.pow(gamma, step / stepSize));
    }

    /** Cosine annealing from {@code lr} to {@code minLr} over {@code totalSteps}, then flat at minLr. */
    static LearningRateSchedule cosine(float lr, long totalSteps, float minLr) {
        requirePositive(lr);
        if (totalSteps <= 0 || minLr < 0f || minLr > lr) {
            throw new IllegalArgumentException("cosine schedule needs totalSteps > 0 and 0 <= minLr <= lr, got "
                    + totalSteps + ", " + minLr);
        }
        return step -> {
            double t = Math.min(1.0, (double) step / totalSteps);
            return (float) (minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t)));
        };
    }

    private static void requirePositive(float lr) {
        if (!(lr > 0f) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        }
    }
}
