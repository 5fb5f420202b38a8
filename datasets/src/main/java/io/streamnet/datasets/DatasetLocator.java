package io.streamnet.datasets;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the directory holding the four Fashion-MNIST files, in this order:
 * <ol>
 *   <li>a configured directory (constructor argument, else system property
 *       {@value #DIR_PROPERTY}, else environment variable {@value #DIR_ENV});</li>
 *   <li>the Debian package directory {@code /usr/share/datasets/fashion-mnist}
 *       ({@code apt-get install dataset-fashion-mnist});</li>
 *   <li>the cache directory {@code ~/.cache/streamnet/fashion-mnist};</li>
 *   <li>otherwise it downloads the official files into the cache directory, each checked against
 *       its published sha256.</li>
 * </ol>
 * A directory counts only if all four files are in it. Base URL, directories, checksums and
 * timeouts are injectable through {@link #builder()} so the download can be tested offline.
 */
public final class DatasetLocator {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetLocator.class);

    public static final String DIR_PROPERTY = "streamnet.data.fashion-mnist";
    public static final String DIR_ENV = "STREAMNET_FASHION_MNIST_DIR";
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /**
     * Zalando Research's download location. S3 website endpoints serve plain HTTP only (no TLS);
     * integrity comes from the sha256 check, not the transport.
     */
    public static final URI OFFICIAL_BASE_URL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    static final String INSTALL_HINT = "install it with `apt-get install dataset-fashion-mnist`, or point -D"
            + DIR_PROPERTY + " or " + DIR_ENV + " at a directory holding the four .gz files";

    private final Path configuredDir;
    private final Path systemDir;
    private final Path cacheDir;
    private final URI baseUrl;
    private final Map<FashionMnistFile, String> sha256;
    private final boolean downloadEnabled;
    private final VerifiedDownload download;

    private DatasetLocator(Builder b) {
        this.configuredDir = b.configuredDir;
        this.systemDir = b.systemDir;
        this.cacheDir = b.cacheDir;
        this.baseUrl = b.baseUrl;
        this.sha256 = new EnumMap<>(b.sha256);
        this.downloadEnabled = b.downloadEnabled;
        this.download = new VerifiedDownload(b.connectTimeout, b.readTimeout);
    }

    /** The standard search: property or environment, Debian directory, user cache, official download. */
    public static DatasetLocator standard() {
        return builder().configuredDir(configuredDirFromSystem().orElse(null)).build();
    }

    /** The standard search with {@code dir} as the configured directory (which wins over property and env). */
    public static DatasetLocator standard(Path dir) {
        return builder().configuredDir(Objects.requireNonNull(dir, "dir")).build();
    }

    /**
     * Starts from the standard directories, URL and checksums but with no configured directory:
     * the builder does not read the system property or environment, so it is deterministic in tests.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@value #DIR_PROPERTY} if set, else {@value #DIR_ENV}. */
    public static Optional<Path> configuredDirFromSystem() {
        return configuredDirFrom(System::getProperty, System::getenv);
    }

    static Optional<Path> configuredDirFrom(UnaryOperator<String> properties, UnaryOperator<String> env) {
        String dir = properties.apply(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = env.apply(DIR_ENV);
        }
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir.strip()));
    }

    /** The user cache directory, {@code ~/.cache/streamnet/fashion-mnist}. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "streamnet", "fashion-mnist");
    }

    /** The directory to read, downloading into the cache directory if no directory holds all four files. */
    public synchronized Path locate() throws IOException {
        List<String> looked = new ArrayList<>();
        if (configuredDir != null) {
            if (complete(configuredDir, "configured directory", looked)) {
                LOG.info("Fashion-MNIST: using configured directory {}", configuredDir);
                return configuredDir;
            }
            LOG.warn("Fashion-MNIST: configured directory {} is not usable ({}); trying the other sources",
                    configuredDir, looked.get(looked.size() - 1));
        }
        if (systemDir != null && complete(systemDir, "Debian package directory", looked)) {
            LOG.info("Fashion-MNIST: using Debian package directory {}", systemDir);
            return systemDir;
        }
        if (complete(cacheDir, "cache directory", looked)) {
            LOG.info("Fashion-MNIST: using cache directory {}", cacheDir);
            return cacheDir;
        }
        if (!downloadEnabled) {
            throw unavailable(looked, "download is disabled", null);
        }
        try {
            downloadMissing();
        } catch (IOException e) {
            // toString: an UnknownHostException's message is the bare host name.
            throw unavailable(looked, "download from " + baseUrl + " failed: " + e, e);
        }
        LOG.info("Fashion-MNIST: using cache directory {} (downloaded from {})", cacheDir, baseUrl);
        return cacheDir;
    }

    private void downloadMissing() throws IOException {
        for (FashionMnistFile f : FashionMnistFile.values()) {
            Path target = cacheDir.resolve(f.fileName());
            if (!Files.isRegularFile(target)) {
                download.fetch(baseUrl.resolve(f.fileName()), target, sha256.get(f));
            }
        }
    }

    // Records why a candidate was rejected, for the error message if nothing is found.
    private static boolean complete(Path dir, String role, List<String> looked) {
        if (!Files.isDirectory(dir)) {
            looked.add(role + " " + dir + ": does not exist");
            return false;
        }
        List<String> missing = new ArrayList<>();
        for (FashionMnistFile f : FashionMnistFile.values()) {
            if (!Files.isRegularFile(dir.resolve(f.fileName()))) {
                missing.add(f.fileName());
            }
        }
        if (!missing.isEmpty()) {
            looked.add(role + " " + dir + ": missing " + String.join(", ", missing));
            return false;
        }
        return true;
    }

    private static DatasetUnavailableException unavailable(List<String> looked, String why, Throwable cause) {
        return new DatasetUnavailableException("Fashion-MNIST not found. Looked in: " + String.join("; ", looked)
                + ". Then " + why + ". To fix: " + INSTALL_HINT + ".", cause);
    }

    public Optional<Path> configuredDir() {
        return Optional.ofNullable(configuredDir);
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** Settings for a {@link DatasetLocator}; defaults are the standard sources without a configured dir. */
    public static final class Builder {
        private Path configuredDir;
        private Path systemDir = DEBIAN_DIR;
        private Path cacheDir = defaultCacheDir();
        private URI baseUrl = OFFICIAL_BASE_URL;
        private final Map<FashionMnistFile, String> sha256 = new EnumMap<>(FashionMnistFile.class);
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private boolean downloadEnabled = true;

        private Builder() {
            for (FashionMnistFile f : FashionMnistFile.values()) {
                sha256.put(f, f.sha256());
            }
        }

        /** Searched first; {@code null} for none. */
        public Builder configuredDir(Path dir) {
            this.configuredDir = dir;
            return this;
        }

        /** The package directory searched second; {@code null} to skip it. */
        public Builder systemDir(Path dir) {
            this.systemDir = dir;
            return this;
        }

        /** Searched third, and where downloads go. */
        public Builder cacheDir(Path dir) {
            this.cacheDir = Objects.requireNonNull(dir, "cacheDir");
            return this;
        }

        /** Where the four files are fetched from; the file names are appended to it. */
        public Builder baseUrl(URI url) {
            String s = Objects.requireNonNull(url, "baseUrl").toString();
            this.baseUrl = s.endsWith("/") ? url : URI.create(s + "/");
            return this;
        }

        /** The sha256 (hex) a download of {@code file} must have; defaults to the published one. */
        public Builder sha256(FashionMnistFile file, String hex) {
            sha256.put(Objects.requireNonNull(file, "file"), Objects.requireNonNull(hex, "hex").toLowerCase(Locale.ROOT));
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Longest wait for the next bytes of a download, not for the whole file. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** {@code false} to fail instead of downloading when no directory holds the files. */
        public Builder download(boolean enabled) {
            this.downloadEnabled = enabled;
            return this;
        }

        public DatasetLocator build() {
            return new DatasetLocator(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
