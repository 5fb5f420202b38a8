package io.streamnet.training;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Which keys of a labelled stream are held out of training, to score candidate models on: a fixed
 * share of keys chosen by an HMAC-SHA256 of the key under a secret of the job, so a key is always on
 * the same side (its sequences are never trained on), in every subtask and across restarts (the
 * runtime keeps the secret in its state), while a producer who does not know the secret cannot
 * choose keys that land in the slice (to poison the scoring set or trigger rollbacks).
 */
public final class HeldOutSlice implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Shortest secret accepted: 128 bits. */
    public static final int MIN_SECRET_BYTES = 16;
    private static final String HMAC = "HmacSHA256";

    private final double share;
    private final byte[] secret;
    /** Per instance (a Mac is not thread-safe): a runtime copy lives in one subtask. */
    private transient Mac mac;

    public HeldOutSlice(double share, byte[] secret) {
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("held-out share must be in [0, 1), got " + share);
        }
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the held-out slice's secret must hold at least " + MIN_SECRET_BYTES
                    + " bytes");
        }
        this.share = share;
        this.secret = secret.clone();
    }

    /** No key held out. */
    public static final HeldOutSlice NONE = new HeldOutSlice(0, new byte[MIN_SECRET_BYTES]);

    /** A fresh random secret (256 bits), for a job that was given none. */
    public static byte[] newSecret() {
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        return s;
    }

    public double share() {
        return share;
    }

    public byte[] secret() {
        return secret.clone();
    }

    /** The same share under another secret (the one a restored job kept). */
    public HeldOutSlice withSecret(byte[] other) {
        return new HeldOutSlice(share, other);
    }

    /** Whether {@code key}'s sequences are held out. */
    public boolean holds(String key) {
        if (share == 0) {
            return false;
        }
        if (mac == null) {
            try {
                mac = Mac.getInstance(HMAC);
                mac.init(new SecretKeySpec(secret, HMAC));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK provides " + HMAC, e);
            }
        }
        long h = ByteBuffer.wrap(mac.doFinal(key.getBytes(StandardCharsets.UTF_8))).getLong();
        return (h >>> 11) * 0x1.0p-53 < share;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeldOutSlice s && s.share == share && Arrays.equals(s.secret, secret);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(share) * 31 + Arrays.hashCode(secret);
    }

    @Override
    public String toString() {
        return "HeldOutSlice[share=" + share + "]"; // never the secret
    }
}
