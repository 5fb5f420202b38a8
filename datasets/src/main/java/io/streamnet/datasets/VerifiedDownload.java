package io.streamnet.datasets;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one URL into a file, accepting it only if its sha256 matches. The bytes go to a temp file
 * in the target directory first and are moved into place atomically, so the target name never holds
 * a partial or unverified download, even if the JVM dies midway.
 */
final class VerifiedDownload {
    static final long MAX_ENTRY_BYTES = 256L << 20;
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

    /**
     * Downloads the zip at {@code url} and extracts each wanted file (the entry whose last path
     * segment is its name, outside {@code __MACOSX}) into {@code dir}, each only if its sha256
     * matches. An entry may not exceed {@value #MAX_ENTRY_BYTES} bytes (a zip bomb stops there).
     */
    void fetchFromZip(URI url, Path dir, List<PublishedDataset.DataFile> wanted) throws IOException {
        Files.createDirectories(dir);
        Path zip = Files.createTempFile(dir, "download.", ".zip.part");
        try {
            HttpURLConnection http = connect(url);
            LOG.info("Downloading {} to extract {} file(s) into {}", url, wanted.size(), dir);
            try (InputStream body = http.getInputStream(); OutputStream out = Files.newOutputStream(zip)) {
                body.transferTo(out);
            } finally {
                http.disconnect();
            }
            Map<String, PublishedDataset.DataFile> byName = new HashMap<>();
            wanted.forEach(f -> byName.put(f.name(), f));
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    String entry = e.getName();
                    String last = entry.substring(entry.lastIndexOf('/') + 1);
                    PublishedDataset.DataFile f = byName.get(last);
                    if (f == null || e.isDirectory() || entry.startsWith("__MACOSX")) {
                        continue;
                    }
                    extract(in, url + "!" + entry, dir.resolve(f.name()), f.sha256());
                    byName.remove(last);
                }
            }
            if (!byName.isEmpty()) {
                throw new IOException(url + " holds no entry for " + byName.keySet());
            }
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    /** Copies {@code entry} to {@code target} through a temp file, moved into place only if its sha256 matches. */
    static void extract(InputStream entry, String from, Path target, String expectedSha256) throws IOException {
        Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName() + ".", ".part");
        try {
            DigestInputStream digest = new DigestInputStream(entry, sha256());
            long bytes;
            try (OutputStream out = Files.newOutputStream(temp)) {
                bytes = digest.transferTo(new CappedOutput(out, MAX_ENTRY_BYTES, from));
            }
            String actual = HexFormat.of().formatHex(digest.getMessageDigest().digest());
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new ChecksumMismatchException(target.getFileName().toString(), from, expectedSha256, actual);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Extracted {} ({} bytes, sha256 verified)", target.getFileName(), bytes);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Stops a write past {@code max} bytes. */
    private static final class CappedOutput extends FilterOutputStream {
        private final long max;
        private final String what;
        private long written;

        CappedOutput(OutputStream out, long max, String what) {
            super(out);
            this.max = max;
            this.what = what;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > max) {
                throw new IOException(what + " exceeds " + max + " bytes");
            }
            out.write(b, off, len);
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

    /** The sha256 (hex) of {@code file}. */
    static String sha256Of(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
