package io.streamnet.engine.data;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one URL into a file, accepting it only if its sha256 matches. The bytes go to a temp file
 * in the target directory first and are moved into place atomically, so the target name never holds
 * a partial or unverified download, even if the JVM dies midway.
 */
final class VerifiedDownload {
    private static final Logger LOG = LoggerFactory.getLogger(VerifiedDownload.class);

    private final Duration connectTimeout;
    private final Duration readTimeout;

    VerifiedDownload(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** Downloads {@code url} to {@code target}, replacing nothing unless the hash matches. */
    void fetch(URI url, Path target, String expectedSha256) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, target.getFileName() + ".", ".part");
        boolean moved = false;
        try {
            long start = System.nanoTime();
            LOG.info("Downloading {} to {}", url, target);
            String actual;
            long bytes;
            HttpURLConnection http = connect(url);
            try (DigestInputStream body = new DigestInputStream(http.getInputStream(), sha256());
                 OutputStream out = Files.newOutputStream(temp)) {
                bytes = body.transferTo(out);
                actual = HexFormat.of().formatHex(body.getMessageDigest().digest());
            } finally {
                http.disconnect();
            }
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new ChecksumMismatchException(target.getFileName().toString(), url.toString(),
                        expectedSha256, actual);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            LOG.info("Downloaded {} ({} bytes, sha256 verified) in {} ms", target.getFileName(), bytes,
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private HttpURLConnection connect(URI url) throws IOException {
        URLConnection conn = url.toURL().openConnection();
        if (!(conn instanceof HttpURLConnection)) {
            throw new IOException("not an http(s) URL: " + url);
        }
        HttpURLConnection http = (HttpURLConnection) conn;
        http.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
        http.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
        http.setInstanceFollowRedirects(true);
        int status = http.getResponseCode();
        if (status != HttpURLConnection.HTTP_OK) {
            http.disconnect();
            throw new IOException("HTTP " + status + " from " + url);
        }
        return http;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
