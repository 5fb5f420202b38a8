package io.streamnet.training;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;

/**
 * The public half of the training job's Ed25519 signing key, derived from the private one, so that a
 * job given only {@code --sign-key} trusts exactly the versions it signed (its training subtasks
 * then refuse unsigned or foreign updates) without a second file that could disagree with the key.
 * The JDK signs with Ed25519 but has no call that derives the public key; this is RFC 8032's
 * derivation (5.1.5): A = [s]B, s the clamped first half of SHA-512(seed), on edwards25519 in affine
 * coordinates with BigInteger. It runs once per job start (a few milliseconds) and touches only the
 * key's own seed; no secret-dependent timing matters there beyond what the process already exposes.
 */
public final class OwnerKey {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger D = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P))
            .mod(P);
    /** A square root of -1 mod p. */
    private static final BigInteger SQRT_M1 = BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
    private static final BigInteger[] BASE;

    static {
        BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
        BASE = new BigInteger[] {xOf(y, false), y};
    }

    private OwnerKey() {
    }

    /** The Ed25519 public key of {@code key}. */
    public static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key with its seed: " + key.getAlgorithm());
        }
        byte[] seed = ed.getBytes().get();
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-512").digest(seed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides SHA-512", e);
        }
        byte[] s = new byte[32];
        for (int i = 0; i < 32; i++) {
            s[i] = h[31 - i]; // little-endian to BigInteger's big-endian
        }
        s[31] &= (byte) 0xf8; // clamp: clear the low 3 bits, clear bit 255, set bit 254
        s[0] &= 0x7f;
        s[0] |= 0x40;
        BigInteger[] a = multiply(new BigInteger(1, s), BASE);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519,
                    new EdECPoint(a[0].testBit(0), a[1])));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides Ed25519", e);
        }
    }

    /** x for {@code y} on the curve (-x^2 + y^2 = 1 + d x^2 y^2), the one of parity {@code odd}. */
    private static BigInteger xOf(BigInteger y, boolean odd) {
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
        BigInteger v = D.multiply(y2).add(BigInteger.ONE).mod(P);
        BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
        BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P); // p = 5 mod 8
        if (!x.multiply(x).mod(P).equals(x2)) {
            x = x.multiply(SQRT_M1).mod(P);
        }
        if (!x.multiply(x).mod(P).equals(x2)) {
            throw new IllegalStateException("no point with y " + y);
        }
        return x.testBit(0) == odd ? x : P.subtract(x).mod(P);
    }

    /** The twisted Edwards addition law, complete on edwards25519 (d is not a square): also doubles. */
    private static BigInteger[] add(BigInteger[] p, BigInteger[] q) {
        BigInteger xx = p[0].multiply(q[0]).mod(P);
        BigInteger yy = p[1].multiply(q[1]).mod(P);
        BigInteger dxy = D.multiply(xx).multiply(yy).mod(P);
        BigInteger x = p[0].multiply(q[1]).add(q[0].multiply(p[1]))
                .multiply(BigInteger.ONE.add(dxy).modInverse(P)).mod(P);
        BigInteger y = yy.add(xx).multiply(BigInteger.ONE.subtract(dxy).mod(P).modInverse(P)).mod(P);
        return new BigInteger[] {x, y};
    }

    private static BigInteger[] multiply(BigInteger k, BigInteger[] point) {
        BigInteger[] r = {BigInteger.ZERO, BigInteger.ONE}; // the neutral element
        for (int i = k.bitLength() - 1; i >= 0; i--) {
            r = add(r, r);
            if (k.testBit(i)) {
                r = add(r, point);
            }
        }
        return r;
    }
}
