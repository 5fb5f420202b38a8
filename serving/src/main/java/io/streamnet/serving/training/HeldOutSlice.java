package io.streamnet.serving.training;

import java.nio.charset.StandardCharsets;

/**
 * Which keys of a labelled stream are held out of training, to score candidate models on: a fixed
 * share of keys chosen by a hash of the key, so a key is always on the same side (its sequences
 * are never trained on), in every subtask and across restarts.
 */
public record HeldOutSlice(double share) implements java.io.Serializable {
    public HeldOutSlice {
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("held-out share must be in [0, 1), got " + share);
        }
    }

    public static final HeldOutSlice NONE = new HeldOutSlice(0);

    /** Whether {@code key}'s sequences are held out. */
    public boolean holds(String key) {
        if (share == 0) {
            return false;
        }
        // FNV-1a over the UTF-8 bytes, then a finaliser: consecutive keys (conv-1, conv-2) spread evenly.
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53 < share;
    }
}
