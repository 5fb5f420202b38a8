package io.streamnet.flink.sequence;

import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceInput;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the sequence operator batches and emits.
 *
 * @param batchSize        most records per batch (B)
 * @param batchMillis      longest a record waits for its batch (T); 0 runs every record at once
 * @param mode             what is emitted per key
 * @param sessionGap       a key idle this long is closed as if its end marker came (null: never)
 * @param stateTtl         idle keys' state expires after this (null: kept until the sequence ends)
 * @param forecastSteps    values generated after the marker in FORECAST mode
 * @param maxModelBytes    largest model update accepted
 * @param maxStepsPerEvent most input steps (tokens) one event may carry
 */
public record SequenceOperatorConfig(int batchSize, long batchMillis, OutputMode mode, Duration sessionGap,
                                     Duration stateTtl, int forecastSteps, int maxModelBytes, int maxStepsPerEvent)
        implements Serializable {
    public SequenceOperatorConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (batchMillis < 0) {
            throw new IllegalArgumentException("batch time must be non-negative, got " + batchMillis);
        }
        if (mode == null) {
            throw new IllegalArgumentException("output mode is required");
        }
        if (sessionGap != null && (sessionGap.isNegative() || sessionGap.isZero())) {
            throw new IllegalArgumentException("session gap must be positive, got " + sessionGap);
        }
        if (stateTtl != null && (stateTtl.isNegative() || stateTtl.isZero())) {
            throw new IllegalArgumentException("state TTL must be positive, got " + stateTtl);
        }
        if (mode == OutputMode.FORECAST && forecastSteps < 1) {
            throw new IllegalArgumentException("FORECAST needs at least one step to generate, got " + forecastSteps);
        }
        if (maxModelBytes < 1) {
            throw new IllegalArgumentException("model size limit must be positive");
        }
        if (maxStepsPerEvent < 1) {
            throw new IllegalArgumentException("steps per event must be positive, got " + maxStepsPerEvent);
        }
    }

    public static SequenceOperatorConfig of(int batchSize, long batchMillis, OutputMode mode) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, null, null, 8, ModelUpdates.DEFAULT_MAX_BYTES,
                SequenceInput.DEFAULT_MAX_STEPS);
    }

    public SequenceOperatorConfig withSessionGap(Duration gap) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, gap, stateTtl, forecastSteps, maxModelBytes,
                maxStepsPerEvent);
    }

    public SequenceOperatorConfig withStateTtl(Duration ttl) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, ttl, forecastSteps, maxModelBytes,
                maxStepsPerEvent);
    }

    public SequenceOperatorConfig withForecastSteps(int n) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, stateTtl, n, maxModelBytes,
                maxStepsPerEvent);
    }
}
