package io.streamnet.datasets;

import static io.streamnet.datasets.IdxTestFiles.writeFashionMnistDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search order; nothing here downloads (see DatasetDownloadTest). */
class DatasetLocatorTest {
    @TempDir
    Path root;

    private DatasetLocator.Builder offline() {
        return DatasetLocator.builder()
                .systemDir(root.resolve("system"))
                .cacheDir(root.resolve("cache"))
                .download(false);
    }

    @Test
    void prefersConfiguredDirOverSystemAndCacheDirs() throws IOException {
        Path configured = writeFashionMnistDir(root.resolve("configured"), 2);
        writeFashionMnistDir(root.resolve("system"), 2);
        writeFashionMnistDir(root.resolve("cache"), 2);

        assertThat(offline().configuredDir(configured).build().locate()).isEqualTo(configured);
    }

    @Test
    void usesSystemDirWhenNothingIsConfigured() throws IOException {
        Path system = writeFashionMnistDir(root.resolve("system"), 2);
        writeFashionMnistDir(root.resolve("cache"), 2);

        assertThat(offline().build().locate()).isEqualTo(system);
    }

    @Test
    void usesCacheDirWhenSystemDirIsAbsent() throws IOException {
        Path cache = writeFashionMnistDir(root.resolve("cache"), 2);

        assertThat(offline().build().locate()).isEqualTo(cache);
    }

    @Test
    void skipsConfiguredDirThatLacksAFile() throws IOException {
        Path configured = writeFashionMnistDir(root.resolve("configured"), 2);
        Files.delete(configured.resolve(FashionMnistFile.TEST_LABELS.fileName()));
        Path system = writeFashionMnistDir(root.resolve("system"), 2);

        assertThat(offline().configuredDir(configured).build().locate()).isEqualTo(system);
    }

    @Test
    void failsNamingEveryPlaceAndTheInstallCommandWhenNothingIsFound() {
        Path configured = root.resolve("nowhere");

        assertThatThrownBy(() -> offline().configuredDir(configured).build().locate())
                .isInstanceOf(DatasetUnavailableException.class)
                .hasMessageContaining(configured.toString())
                .hasMessageContaining(root.resolve("system").toString())
                .hasMessageContaining(root.resolve("cache").toString())
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void systemPropertyWinsOverEnvironmentVariable() {
        Map<String, String> props = Map.of(DatasetLocator.DIR_PROPERTY, "/from/property");
        Map<String, String> env = Map.of(DatasetLocator.DIR_ENV, "/from/env");

        assertThat(DatasetLocator.configuredDirFrom(props::get, env::get)).contains(Path.of("/from/property"));
        assertThat(DatasetLocator.configuredDirFrom(k -> null, env::get)).contains(Path.of("/from/env"));
        assertThat(DatasetLocator.configuredDirFrom(k -> null, k -> null)).isEmpty();
    }

    @Test
    void explicitDirWinsOverSystemProperty() {
        String before = System.getProperty(DatasetLocator.DIR_PROPERTY);
        System.setProperty(DatasetLocator.DIR_PROPERTY, "/from/property");
        try {
            assertThat(DatasetLocator.standard(root).configuredDir()).contains(root);
            assertThat(DatasetLocator.standard().configuredDir()).contains(Path.of("/from/property"));
        } finally {
            if (before == null) {
                System.clearProperty(DatasetLocator.DIR_PROPERTY);
            } else {
                System.setProperty(DatasetLocator.DIR_PROPERTY, before);
            }
        }
    }

    @Test
    void loadsBothSplitsFromTheLocatedDir() throws IOException {
        writeFashionMnistDir(root.resolve("cache"), 3);
        DatasetLocator locator = offline().build();

        assertThat(FashionMnist.loadTrain(locator).count()).isEqualTo(3);
        assertThat(FashionMnist.loadTest(locator, 2).labels()).containsExactly(9, 0);
    }
}
