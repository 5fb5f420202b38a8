package io.streamnet.datasets;

import static io.streamnet.datasets.IdxTestFiles.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search order and the verified download of small published datasets, against a local HTTP server. */
class PublishedDatasetTest {
    static final byte[] A = "first file\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] B = "second file\n".getBytes(StandardCharsets.UTF_8);
    /** The copy under src/test/resources/io/streamnet/datasets/bundled: other bytes than the published A and B. */
    static final byte[] BUNDLED_A = "bundled first file\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] BUNDLED_B = "bundled second file\n".getBytes(StandardCharsets.UTF_8);
    static final PublishedDataset.Bundled BUNDLED = new PublishedDataset.Bundled(PublishedDatasetTest.class, "bundled",
            List.of(new PublishedDataset.DataFile("a.txt", sha256(BUNDLED_A)),
                    new PublishedDataset.DataFile("b.txt", sha256(BUNDLED_B))));

    @TempDir
    Path root;
    final LocalFileServer server = newServer();

    @AfterEach
    void stop() {
        server.close();
    }

    PublishedDataset.Builder dataset(PublishedDataset.Source source) {
        return PublishedDataset.builder("test data", "testdata")
                .file("a.txt", sha256(A))
                .file("b.txt", sha256(B))
                .source(source)
                .cacheDir(root.resolve("cache"))
                .searchFrom(root.resolve("work/repo"))
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void downloadsFilesFromBaseUrlIntoTheCacheWhenNoDirectoryHoldsThem() throws IOException {
        server.serve("a.txt", A).serve("b.txt", B);

        Path dir = dataset(PublishedDataset.Source.files(server.baseUrl())).build().locate();

        assertThat(dir).isEqualTo(root.resolve("cache"));
        assertThat(Files.readAllBytes(dir.resolve("a.txt"))).isEqualTo(A);
        assertThat(Files.readAllBytes(dir.resolve("b.txt"))).isEqualTo(B);
    }

    @Test
    void extractsTheFilesFromAZipIgnoringMacMetadataEntries() throws IOException {
        server.serve("data.zip", zip("__MACOSX/pack/._a.txt", "junk".getBytes(), "pack/a.txt", A, "pack/b.txt", B));

        Path dir = dataset(PublishedDataset.Source.zip(server.baseUrl().resolve("data.zip"))).build().locate();

        assertThat(Files.readAllBytes(dir.resolve("a.txt"))).isEqualTo(A);
        assertThat(Files.readAllBytes(dir.resolve("b.txt"))).isEqualTo(B);
        assertThat(Files.list(dir)).hasSize(2);
    }

    @Test
    void refusesAZipEntryWhoseChecksumDiffersAndKeepsNothing() throws IOException {
        server.serve("data.zip", zip("pack/a.txt", "tampered\n".getBytes(), "pack/b.txt", B));
        URI url = server.baseUrl().resolve("data.zip");

        assertThatThrownBy(() -> dataset(PublishedDataset.Source.zip(url)).build().locate())
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("sha256");
        assertThat(Files.exists(root.resolve("cache/a.txt"))).isFalse();
    }

    @Test
    void prefersSharedDatasetsAboveTheWorkingDirectoryAndDoesNotDownload() throws IOException {
        Path shared = Files.createDirectories(root.resolve("shared/datasets/testdata"));
        Files.write(shared.resolve("a.txt"), "local copy".getBytes());
        Files.write(shared.resolve("b.txt"), "local copy".getBytes());

        Path dir = dataset(PublishedDataset.Source.files(server.baseUrl())).build().locate();

        assertThat(dir).isEqualTo(shared);
        assertThat(server.requests()).isZero();
    }

    @Test
    void aConfiguredDirectoryWithoutTheFilesIsAnErrorNamingIt() throws IOException {
        Path configured = Files.createDirectories(root.resolve("mine"));

        assertThatThrownBy(() -> dataset(PublishedDataset.Source.files(server.baseUrl()))
                .configuredDir(configured).build().locate())
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining(configured.toString()).hasMessageContaining("missing a.txt, b.txt");
    }

    @Test
    void anUnreachableSourceIsReportedOnceAndNotRetriedInTheSameJvm() {
        URI gone = server.baseUrl().resolve("never-served/");
        PublishedDataset.Builder unreachable = dataset(PublishedDataset.Source.files(gone));

        assertThatThrownBy(() -> unreachable.build().locate()).isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining(gone.toString());
        int afterFirst = server.requests();
        assertThatThrownBy(() -> unreachable.build().locate()).hasMessageContaining("failed earlier in this JVM");
        assertThat(server.requests()).isEqualTo(afterFirst);
    }

    @Test
    void downloadsCanBeTurnedOff() {
        server.serve("a.txt", A).serve("b.txt", B);

        assertThatThrownBy(() -> dataset(PublishedDataset.Source.files(server.baseUrl())).download(false).build().locate())
                .hasMessageContaining("download is disabled");
        assertThat(server.requests()).isZero();
    }

    @Test
    void fallsBackToTheBundledCopyWhenNoDirectoryHoldsTheFilesAndTheNetworkIsUnreachable() throws IOException {
        URI unreachable = URI.create("http://127.0.0.1:" + closedPort() + "/data.zip");

        Path dir = dataset(PublishedDataset.Source.zip(unreachable)).bundled(BUNDLED).build().locate();

        assertThat(dir).isEqualTo(root.resolve("cache-bundled"));
        assertThat(Files.readAllBytes(dir.resolve("a.txt"))).isEqualTo(BUNDLED_A);
        assertThat(Files.readAllBytes(dir.resolve("b.txt"))).isEqualTo(BUNDLED_B);
    }

    @Test
    void theBundledCopyComesBeforeTheDownload() throws IOException {
        server.serve("a.txt", A).serve("b.txt", B);

        Path dir = dataset(PublishedDataset.Source.files(server.baseUrl())).bundled(BUNDLED).build().locate();

        assertThat(dir).isEqualTo(root.resolve("cache-bundled"));
        assertThat(server.requests()).isZero();
    }

    @Test
    void aBundledFileWithAnotherChecksumIsNotUsedAndTheDownloadIsTried() throws IOException {
        server.serve("a.txt", A).serve("b.txt", B);
        PublishedDataset.Bundled tampered = new PublishedDataset.Bundled(PublishedDatasetTest.class, "bundled",
                List.of(new PublishedDataset.DataFile("a.txt", sha256(A)),
                        new PublishedDataset.DataFile("b.txt", sha256(BUNDLED_B))));

        Path dir = dataset(PublishedDataset.Source.files(server.baseUrl())).bundled(tampered).build().locate();

        assertThat(dir).isEqualTo(root.resolve("cache"));
        assertThat(Files.exists(root.resolve("cache-bundled/a.txt"))).isFalse();
    }

    /** A local port nobody listens on: a connection there is refused at once, as on a machine without network. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static byte[] zip(Object... nameThenBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < nameThenBytes.length; i += 2) {
                z.putNextEntry(new ZipEntry((String) nameThenBytes[i]));
                z.write((byte[]) nameThenBytes[i + 1]);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static LocalFileServer newServer() {
        try {
            return new LocalFileServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
