package io.streamnet.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small published dataset of a few files, found in this order:
 * <ol>
 *   <li>a configured directory (system property, else environment variable);</li>
 *   <li>{@code shared/datasets/<name>} in the working directory or any directory above it
 *       (development checkouts keep {@code ../shared} beside the repository);</li>
 *   <li>the cache directory {@code ~/.cache/streamnet/<name>};</li>
 *   <li>a copy bundled on the classpath, if the dataset has one: extracted to
 *       {@code ~/.cache/streamnet/<name>-bundled}, each file checked against the sha256 of the
 *       bundled copy;</li>
 *   <li>otherwise the official files are downloaded into the cache, each checked against its
 *       published sha256 (from a zip archive when the publisher ships one).</li>
 * </ol>
 * A directory counts only if it holds every file. The bundled copy comes before the download so
 * that a clone finds the data without waiting on a network that may not be there (a DNS lookup
 * is not bounded by the connect timeout), and reads the same bytes everywhere; a dataset without a
 * bundled copy, or a classpath without it, still downloads. A download that failed is not tried
 * again in the same JVM, so that a machine without network pays the timeout once, not once per
 * test. System property {@value #DOWNLOAD_PROPERTY}{@code =false} turns downloads off.
 */
public final class PublishedDataset {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedDataset.class);
    public static final String DOWNLOAD_PROPERTY = "streamnet.data.download";
    private static final Map<URI, String> FAILED_DOWNLOADS = new ConcurrentHashMap<>();

    /** One file of the dataset and the sha256 (hex) of its published version. */
    public record DataFile(String name, String sha256) {
        public DataFile {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * A copy shipped as classpath resources {@code dir/<file name>} beside {@code anchor} (relative
     * to its package), each file with the sha256 of the bundled bytes (which may be a subset of the
     * published files, so not the published sha256).
     */
    public record Bundled(Class<?> anchor, String dir, List<DataFile> files) {
        public Bundled {
            Objects.requireNonNull(anchor, "anchor");
            Objects.requireNonNull(dir, "dir");
            files = List.copyOf(files);
        }

        /** The resource name of {@code fileName}, relative to the anchor's package. */
        public String resource(String fileName) {
            return dir + "/" + fileName;
        }

        String describe() {
            return "classpath:/" + anchor.getPackageName().replace('.', '/') + "/" + dir;
        }
    }

    /** Where the publisher serves the files: one URL per file under a base, or one zip archive. */
    public sealed interface Source {
        /** {@code base} + file name for each file. */
        record Files(URI url) implements Source {
        }

        /** One zip; each file is the entry whose last path segment is its name. */
        record Zip(URI url) implements Source {
        }

        URI url();

        static Source files(URI base) {
            String s = base.toString();
            return new Files(s.endsWith("/") ? base : URI.create(s + "/"));
        }

        static Source zip(URI archive) {
            return new Zip(archive);
        }
    }

    private final String title;
    private final String name;
    private final String dirProperty;
    private final String dirEnv;
    private final List<DataFile> files;
    private final Source source;
    private final Path cacheDir;
    private final Path configuredDir;
    private final Path searchFrom;
    private final boolean download;
    private final VerifiedDownload fetcher;
    private final Bundled bundled;
    private final Path bundledDir;

    private PublishedDataset(Builder b) {
        this.title = b.title;
        this.name = b.name;
        this.dirProperty = b.dirProperty;
        this.dirEnv = b.dirEnv;
        this.files = List.copyOf(b.files);
        this.source = Objects.requireNonNull(b.source, "source");
        this.cacheDir = b.cacheDir != null ? b.cacheDir
                : Path.of(System.getProperty("user.home"), ".cache", "streamnet", b.name);
        this.configuredDir = b.configuredDir;
        this.searchFrom = b.searchFrom;
        this.download = b.download && !"false".equalsIgnoreCase(System.getProperty(DOWNLOAD_PROPERTY));
        this.fetcher = new VerifiedDownload(b.connectTimeout, b.readTimeout);
        this.bundled = b.bundled;
        this.bundledDir = cacheDir.resolveSibling(cacheDir.getFileName() + "-bundled");
        if (files.isEmpty()) {
            throw new IllegalArgumentException(title + ": no files");
        }
        if (bundled != null && !names(bundled.files()).equals(names(files))) {
            throw new IllegalArgumentException(title + ": the bundled copy holds " + names(bundled.files())
                    + ", the dataset " + names(files));
        }
    }

    private static TreeSet<String> names(List<DataFile> files) {
        return new TreeSet<>(files.stream().map(DataFile::name).toList());
    }

    /**
     * @param title    what a user calls it, for messages ("UCI sentiment")
     * @param name     the folder name under {@code shared/datasets} and the cache
     */
    public static Builder builder(String title, String name) {
        return new Builder(title, name);
    }

    /** The directory holding every file, downloading into the cache if no directory does. */
    public synchronized Path locate() throws DatasetUnavailableException {
        List<String> looked = new ArrayList<>();
        Path configured = configuredDir != null ? configuredDir : configuredFromSystem();
        if (configured != null) {
            if (complete(configured, "configured directory", looked)) {
                return configured;
            }
            // A configured directory that does not hold the files is a mistake worth stopping for.
            throw unavailable(looked, "the configured directory is used alone", null);
        }
        if (searchFrom != null) {
            for (Path d = searchFrom.toAbsolutePath(); d != null; d = d.getParent()) {
                Path shared = d.resolve("shared").resolve("datasets").resolve(name);
                if (Files.isDirectory(shared) && complete(shared, "project datasets", looked)) {
                    return shared;
                }
            }
            looked.add("no shared/datasets/" + name + " above " + searchFrom.toAbsolutePath());
        }
        if (complete(cacheDir, "cache directory", looked)) {
            return cacheDir;
        }
        if (bundled != null && extractBundled(looked)) {
            LOG.info("{}: using the copy bundled with streamnet ({}), extracted to {}", title, bundled.describe(),
                    bundledDir);
            return bundledDir;
        }
        if (!download) {
            throw unavailable(looked, "download is disabled (-D" + DOWNLOAD_PROPERTY + "=false)", null);
        }
        String failed = FAILED_DOWNLOADS.get(source.url());
        if (failed != null) {
            throw unavailable(looked, "download from " + source.url() + " failed earlier in this JVM: " + failed, null);
        }
        try {
            fetchMissing();
        } catch (IOException e) {
            FAILED_DOWNLOADS.put(source.url(), String.valueOf(e.getMessage()));
            throw unavailable(looked, "download from " + source.url() + " failed: " + e, e);
        }
        LOG.info("{}: using cache directory {} (downloaded from {})", title, cacheDir, source.url());
        return cacheDir;
    }

    /**
     * Extracts the bundled copy into {@link #bundledDir()}, keeping files already there whose sha256
     * matches; false (with the reason in {@code looked}) if a resource is missing or does not match.
     */
    private boolean extractBundled(List<String> looked) {
        try {
            Files.createDirectories(bundledDir);
            for (DataFile f : bundled.files()) {
                Path target = bundledDir.resolve(f.name());
                if (Files.isRegularFile(target) && VerifiedDownload.sha256Of(target).equalsIgnoreCase(f.sha256())) {
                    continue;
                }
                try (InputStream in = bundled.anchor().getResourceAsStream(bundled.resource(f.name()))) {
                    if (in == null) {
                        looked.add("bundled copy " + bundled.describe() + ": " + f.name() + " is not on the classpath");
                        return false;
                    }
                    VerifiedDownload.extract(in, bundled.describe() + "/" + f.name(), target, f.sha256());
                }
            }
            return true;
        } catch (IOException e) {
            looked.add("bundled copy " + bundled.describe() + " into " + bundledDir + ": " + e.getMessage());
            return false;
        }
    }

    private void fetchMissing() throws IOException {
        List<DataFile> missing = files.stream().filter(f -> !Files.isRegularFile(cacheDir.resolve(f.name()))).toList();
        if (source instanceof Source.Zip z) {
            fetcher.fetchFromZip(z.url(), cacheDir, missing);
            return;
        }
        URI base = source.url();
        for (DataFile file : missing) {
            fetcher.fetch(base.resolve(file.name()), cacheDir.resolve(file.name()), file.sha256());
        }
    }

    private Path configuredFromSystem() {
        String dir = dirProperty == null ? null : System.getProperty(dirProperty);
        if ((dir == null || dir.isBlank()) && dirEnv != null) {
            dir = System.getenv(dirEnv);
        }
        return dir == null || dir.isBlank() ? null : Path.of(dir.strip());
    }

    private boolean complete(Path dir, String role, List<String> looked) {
        if (!Files.isDirectory(dir)) {
            looked.add(role + " " + dir + ": does not exist");
            return false;
        }
        List<String> missing = files.stream().map(DataFile::name).filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
        if (!missing.isEmpty()) {
            looked.add(role + " " + dir + ": missing " + String.join(", ", missing));
            return false;
        }
        return true;
    }

    private DatasetUnavailableException unavailable(List<String> looked, String why, Throwable cause) {
        String configure = dirProperty == null ? "" : "; or point -D" + dirProperty
                + (dirEnv == null ? "" : " or " + dirEnv) + " at a directory holding them";
        return new DatasetUnavailableException(title + " not found. Looked in: " + String.join("; ", looked)
                + ". Then " + why + ". To fix: let this machine reach " + source.url() + configure + ".", cause);
    }

    public List<DataFile> files() {
        return files;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Where the bundled copy is extracted: beside the cache directory, {@code <cache>-bundled}. */
    public Path bundledDir() {
        return bundledDir;
    }

    /** Settings; defaults: no configured directory, search from the working directory, download on. */
    public static final class Builder {
        private final String title;
        private final String name;
        private final List<DataFile> files = new ArrayList<>();
        private String dirProperty;
        private String dirEnv;
        private Source source;
        private Path cacheDir;
        private Path configuredDir;
        private Path searchFrom = Path.of("");
        private boolean download = true;
        private Bundled bundled;
        private Duration connectTimeout = DatasetLocator.DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DatasetLocator.DEFAULT_READ_TIMEOUT;

        private Builder(String title, String name) {
            this.title = Objects.requireNonNull(title, "title");
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder file(String fileName, String sha256) {
            files.add(new DataFile(fileName, sha256));
            return this;
        }

        /** The system property and environment variable that name a directory to use alone. */
        public Builder configuredBy(String property, String env) {
            this.dirProperty = property;
            this.dirEnv = env;
            return this;
        }

        /** A directory to use alone, overriding property and environment. */
        public Builder configuredDir(Path dir) {
            this.configuredDir = dir;
            return this;
        }

        public Builder source(Source source) {
            this.source = source;
            return this;
        }

        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** Where the walk up for {@code shared/datasets} starts; {@code null} for no walk. */
        public Builder searchFrom(Path dir) {
            this.searchFrom = dir;
            return this;
        }

        /** A copy on the classpath, used when no directory holds the files, before any download. */
        public Builder bundled(Bundled copy) {
            this.bundled = copy;
            return this;
        }

        public Builder download(boolean enabled) {
            this.download = enabled;
            return this;
        }

        public Builder timeouts(Duration connect, Duration read) {
            this.connectTimeout = Objects.requireNonNull(connect);
            this.readTimeout = Objects.requireNonNull(read);
            return this;
        }

        public PublishedDataset build() {
            return new PublishedDataset(this);
        }
    }
}
