package io.streamnet.serving.model;

import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures of model updates (the JDK's own, since 15). What is signed binds the weights
 * to their identity: {@code "streamnet-model-update\n" + modelId + "\n" + version + "\n" + checksum},
 * the checksum being the weights' SHA-256 that {@link ModelUpdates} checks, so neither other weights
 * nor the same weights under another id or version verify. Keys travel as PEM files (X.509 public,
 * PKCS#8 private), readable by OpenSSL ({@code openssl pkey -in key.pem -pubout}).
 */
public final class UpdateSignatures {
    public static final String ALGORITHM = "Ed25519";

    private UpdateSignatures() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides Ed25519 since 15", e);
        }
    }

    /** The bytes a signature covers. */
    static byte[] signedBytes(ModelUpdate u) {
        return signedBytes(u.getModelId().toString(), u.getVersion(), u.getChecksum().toString());
    }

    static byte[] signedBytes(String modelId, long version, String checksum) {
        return ("streamnet-model-update\n" + modelId + "\n" + version + "\n"
                + checksum.toLowerCase(java.util.Locale.ROOT)).getBytes(StandardCharsets.UTF_8);
    }

    /** Signs {@code u} in place (sets its signature) and returns it. */
    public static ModelUpdate sign(ModelUpdate u, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(signedBytes(u));
            u.setSignature(ByteBuffer.wrap(s.sign()));
            return u;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /**
     * Checks {@code u}'s signature against {@code trusted}.
     *
     * @throws ModelRejected UNSIGNED or BAD_SIGNATURE
     */
    public static void verify(ModelUpdate u, PublicKey trusted) throws ModelRejected {
        ByteBuffer sig = u.getSignature();
        byte[] bytes = null;
        if (sig != null) {
            bytes = new byte[sig.remaining()];
            sig.duplicate().get(bytes);
        }
        verify(u.getModelId().toString(), u.getVersion(), u.getChecksum().toString(), bytes, trusted);
    }

    /**
     * Checks the signature of a raw update's signed fields, read without decoding the update
     * ({@link UpdateHeader}): nothing of an unauthenticated update is built.
     *
     * @throws ModelRejected UNSIGNED or BAD_SIGNATURE
     */
    public static void verify(UpdateHeader h, PublicKey trusted) throws ModelRejected {
        verify(h.modelId(), h.version(), h.checksum(), h.signature(), trusted);
    }

    /**
     * Checks that {@code signature} signs (id, version, checksum) under {@code trusted}: for an
     * update, or for a model restored from a runtime's state (its checksum recomputed from the
     * checkpoint bytes it serves).
     *
     * @throws ModelRejected UNSIGNED or BAD_SIGNATURE
     */
    public static void verify(String modelId, long version, String checksum, byte[] signature, PublicKey trusted)
            throws ModelRejected {
        String who = "model " + modelId + " v" + version;
        if (signature == null || signature.length == 0) {
            throw new ModelRejected(RejectReason.UNSIGNED, who + " is not signed; this job accepts only updates signed"
                    + " by its trusted key", null);
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(trusted);
            s.update(signedBytes(modelId, version, checksum));
            ok = s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            ok = false; // a malformed signature is a bad one
        }
        if (!ok) {
            throw new ModelRejected(RejectReason.BAD_SIGNATURE, who + ": the signature does not verify under the"
                    + " trusted key", null);
        }
    }

    /** An Ed25519 public key from its X.509 encoding. */
    public static PublicKey publicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** An Ed25519 private key from its PKCS#8 encoding ({@code PrivateKey.getEncoded()}). */
    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** The X.509 encoding of the public key in a PEM file ({@code -----BEGIN PUBLIC KEY-----}). */
    public static byte[] readPublicKey(Path pem) throws IOException {
        byte[] der = pemBody(pem, "PUBLIC KEY");
        publicKey(der);
        return der;
    }

    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pemBody(pem, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + " does not hold an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** Writes {@code pair} as {@code name.pub.pem} and {@code name.key.pem} (owner-only where the file system allows). */
    public static void write(KeyPair pair, Path publicPem, Path privatePem) throws IOException {
        Files.writeString(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Files.writeString(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        try {
            Files.setPosixFilePermissions(privatePem, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the user protects the file
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] pemBody(Path pem, String type) throws IOException {
        if (Files.size(pem) > 64 << 10) {
            throw new IOException(pem + " is too large for a key file");
        }
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(pem + " holds no " + type + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(pem + ": the " + type + " block is not base64", ex);
        }
    }
}
