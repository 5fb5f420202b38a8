package io.streamnet.flink.rnn;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the RNN operator batches and emits.
 *
 * @param bundleSize     most records per bundle (B)
 * @param bundleMillis   longest a record waits for its bundle (T); 0 flushes every record
 * @param mode           what is emitted per key
 * @param sessionGap     a key idle this long is closed as if its end marker came (null: never)
 * @param stateTtl       idle keys' state expires after this (null: kept until the sequence ends)
 * @param forecastSteps  values generated after the marker in FORECAST mode
 * @param maxModelBytes  largest model update accepted
 */
public record RnnOperatorConfig(int bundleSize, long bundleMillis, OutputMode mode, Duration sessionGap,
                                Duration stateTtl, int forecastSteps, int maxModelBytes) implements Serializable {
    public RnnOperatorConfig {
        if (bundleSize < 1) {
            throw new IllegalArgumentException("bundle size must be at least 1, got " + bundleSize);
        }
        if (bundleMillis < 0) {
            throw new IllegalArgumentException("bundle time must be non-negative, got " + bundleMillis);
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
    }

    public static RnnOperatorConfig of(int bundleSize, long bundleMillis, OutputMode mode) {
        return new RnnOperatorConfig(bundleSize, bundleMillis, mode, null, null, 8,
                io.streamnet.flink.model.ModelUpdates.DEFAULT_MAX_BYTES);
    }

    public RnnOperatorConfig withSessionGap(Duration gap) {
        return new RnnOperatorConfig(bundleSize, bundleMillis, mode, gap, stateTtl, forecastSteps, maxModelBytes);
    }

    public RnnOperatorConfig withStateTtl(Duration ttl) {
        return new RnnOperatorConfig(bundleSize, bundleMillis, mode, sessionGap, ttl, forecastSteps, maxModelBytes);
    }

    public RnnOperatorConfig withForecastSteps(int n) {
        return new RnnOperatorConfig(bundleSize, bundleMillis, mode, sessionGap, stateTtl, n, maxModelBytes);
    }
}
