package io.streamnet.datasets;

import static io.streamnet.datasets.IdxTestFiles.sha256;
import static io.streamnet.datasets.IdxTestFiles.writeFashionMnistDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download fallback, against a local HTTP server serving synthetic files (5 images each). */
class DatasetDownloadTest {
    @TempDir
    Path root;
    Path cache;
    LocalFileServer server;
    DatasetLocator.Builder locator;

    @BeforeEach
    void serveFiveSyntheticImagesPerSplit() throws IOException {
        Path published = writeFashionMnistDir(root.resolve("published"), 5);
        cache = root.resolve("cache");
        server = new LocalFileServer();
        locator = DatasetLocator.builder()
                .systemDir(root.resolve("no-system-dir"))
                .cacheDir(cache)
                .baseUrl(server.baseUrl())
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(5));
        for (FashionMnistFile f : FashionMnistFile.values()) {
            byte[] body = Files.readAllBytes(published.resolve(f.fileName()));
            server.serve(f.fileName(), body);
            locator.sha256(f, sha256(body));
        }
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void downloadsIntoEmptyCacheDirThenLoads() throws IOException {
        Path dir = locator.build().locate();

        assertThat(dir).isEqualTo(cache);
        assertThat(server.requests()).isEqualTo(4);
        FashionMnist test = FashionMnist.loadTest(locator.build());
        assertThat(test.count()).isEqualTo(5);
        assertThat(test.labels()).containsExactly(9, 0, 1, 2, 3);
    }

    @Test
    void leavesOnlyTheFourVerifiedFilesInTheCache() throws IOException {
        locator.build().locate();

        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        }
    }

    @Test
    void secondLocateUsesTheCacheWithoutContactingTheServer() throws IOException {
        locator.build().locate();
        int afterFirst = server.requests();

        Path again = locator.build().locate();

        assertThat(again).isEqualTo(cache);
        assertThat(server.requests()).isEqualTo(afterFirst);
    }

    @Test
    void downloadsOnlyTheFilesMissingFromTheCache() throws IOException {
        writeFashionMnistDir(cache, 5);
        Files.delete(cache.resolve(FashionMnistFile.TRAIN_LABELS.fileName()));

        locator.build().locate();

        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void wrongChecksumFailsNamingFileAndBothHashesAndDeletesTheDownload() throws IOException {
        String wrong = "0".repeat(64);
        String actual = sha256(root.resolve("published").resolve(FashionMnistFile.TRAIN_IMAGES.fileName()));
        locator.sha256(FashionMnistFile.TRAIN_IMAGES, wrong);

        assertThatThrownBy(() -> locator.build().locate())
                .isInstanceOf(DatasetUnavailableException.class)
                .hasCauseInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz")
                .hasMessageContaining("expected sha256 " + wrong)
                .hasMessageContaining("got " + actual);
        assertThat(cache.resolve("train-images-idx3-ubyte.gz")).doesNotExist();
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files).noneMatch(p -> p.getFileName().toString().startsWith("train-images"));
        }
    }

    @Test
    void missingFileOnServerFailsWithHttpStatusAndInstallHint() {
        server.withhold(FashionMnistFile.TEST_LABELS.fileName());

        assertThatThrownBy(() -> locator.build().locate())
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void stalledDownloadGivesUpAfterTheReadTimeout() {
        server.stallBodies();
        DatasetLocator impatient = locator.readTimeout(Duration.ofMillis(300)).build();

        long start = System.nanoTime();
        assertThatThrownBy(impatient::locate)
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(cache.resolve("train-images-idx3-ubyte.gz")).doesNotExist();
    }
}
