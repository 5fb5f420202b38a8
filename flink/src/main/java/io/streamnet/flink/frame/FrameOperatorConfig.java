package io.streamnet.flink.frame;

import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.UpdateSignatures;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the frame operator batches and what it emits.
 *
 * @param batchSize     most frames per batched forward (B)
 * @param batchMillis   longest a frame waits for its batch (T); 0 classifies every frame at once
 * @param smooth        with a model that has a smoother: also emit the smoothed label of every frame
 * @param stateTtl      an idle camera's smoother state expires after this (null: kept)
 * @param maxModelBytes largest model update accepted
 * @param order         whether a camera's frames must come in increasing frame number (DUPLICATE, OUT_OF_ORDER)
 * @param trustedKey    X.509 encoding of the Ed25519 key updates must be signed by (null: unsigned accepted)
 */
public record FrameOperatorConfig(int batchSize, long batchMillis, boolean smooth, Duration stateTtl,
                                  int maxModelBytes, EventOrder order, byte[] trustedKey) implements Serializable {
    public FrameOperatorConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (batchMillis < 0) {
            throw new IllegalArgumentException("batch time must be non-negative, got " + batchMillis);
        }
        if (stateTtl != null && (stateTtl.isNegative() || stateTtl.isZero())) {
            throw new IllegalArgumentException("state TTL must be positive, got " + stateTtl);
        }
        if (maxModelBytes < 1) {
            throw new IllegalArgumentException("model size limit must be positive");
        }
        if (order == null) {
            throw new IllegalArgumentException("frame order setting is required");
        }
        if (trustedKey != null) {
            UpdateSignatures.publicKey(trustedKey);
        }
    }

    public static FrameOperatorConfig of(int batchSize, long batchMillis, boolean smooth) {
        return new FrameOperatorConfig(batchSize, batchMillis, smooth, null,
                io.streamnet.serving.model.ModelUpdates.DEFAULT_MAX_BYTES, EventOrder.CHECKED, null);
    }

    public FrameOperatorConfig withStateTtl(Duration ttl) {
        return new FrameOperatorConfig(batchSize, batchMillis, smooth, ttl, maxModelBytes, order, trustedKey);
    }

    public FrameOperatorConfig withOrder(EventOrder o) {
        return new FrameOperatorConfig(batchSize, batchMillis, smooth, stateTtl, maxModelBytes, o, trustedKey);
    }

    public FrameOperatorConfig withTrustedKey(byte[] key) {
        return new FrameOperatorConfig(batchSize, batchMillis, smooth, stateTtl, maxModelBytes, order, key);
    }
}
