package io.streamnet.flink.sequence;

import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.UpdateSignatures;
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
 * @param order            whether a key's events must come in increasing seq (DUPLICATE, OUT_OF_ORDER)
 * @param trustedKey       the X.509 encoding of the Ed25519 key updates must be signed by (null: unsigned accepted)
 */
public record SequenceOperatorConfig(int batchSize, long batchMillis, OutputMode mode, Duration sessionGap,
                                     Duration stateTtl, int forecastSteps, int maxModelBytes, int maxStepsPerEvent,
                                     EventOrder order, byte[] trustedKey)
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
        if (order == null) {
            throw new IllegalArgumentException("event order setting is required");
        }
        if (trustedKey != null) {
            UpdateSignatures.publicKey(trustedKey); // refused at start, not at the first update
        }
    }

    /** With {@code maxStepsPerEvent}, order checks on and no signing key. */
    public SequenceOperatorConfig(int batchSize, long batchMillis, OutputMode mode, Duration sessionGap,
                                  Duration stateTtl, int forecastSteps, int maxModelBytes, int maxStepsPerEvent) {
        this(batchSize, batchMillis, mode, sessionGap, stateTtl, forecastSteps, maxModelBytes, maxStepsPerEvent,
                EventOrder.CHECKED, null);
    }

    public static SequenceOperatorConfig of(int batchSize, long batchMillis, OutputMode mode) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, null, null, 8, ModelUpdates.DEFAULT_MAX_BYTES,
                SequenceInput.DEFAULT_MAX_STEPS);
    }

    public SequenceOperatorConfig withSessionGap(Duration gap) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, gap, stateTtl, forecastSteps, maxModelBytes,
                maxStepsPerEvent, order, trustedKey);
    }

    public SequenceOperatorConfig withStateTtl(Duration ttl) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, ttl, forecastSteps, maxModelBytes,
                maxStepsPerEvent, order, trustedKey);
    }

    public SequenceOperatorConfig withForecastSteps(int n) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, stateTtl, n, maxModelBytes,
                maxStepsPerEvent, order, trustedKey);
    }

    public SequenceOperatorConfig withOrder(EventOrder o) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, stateTtl, forecastSteps, maxModelBytes,
                maxStepsPerEvent, o, trustedKey);
    }

    public SequenceOperatorConfig withTrustedKey(byte[] key) {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, stateTtl, forecastSteps, maxModelBytes,
                maxStepsPerEvent, order, key);
    }
}
