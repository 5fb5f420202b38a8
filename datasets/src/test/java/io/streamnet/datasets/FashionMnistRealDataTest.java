package io.streamnet.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real files from the Debian package {@code dataset-fashion-mnist}; skipped (with the reason)
 * where it is not installed. Nothing is downloaded here.
 */
class FashionMnistRealDataTest {
    private static final Path DIR = DatasetLocator.DEBIAN_DIR;

    private DatasetLocator debianOnly;

    @BeforeEach
    void requireDebianPackage() {
        assumeTrue(allFilesPresent(),
                "Fashion-MNIST not installed at " + DIR + " (apt-get install dataset-fashion-mnist)");
        debianOnly = DatasetLocator.builder().systemDir(DIR).download(false).build();
    }

    private static boolean allFilesPresent() {
        for (FashionMnistFile f : FashionMnistFile.values()) {
            if (!Files.isRegularFile(DIR.resolve(f.fileName()))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void loadsTheTenThousandTestImagesWithThousandPerClass() throws IOException {
        FashionMnist test = FashionMnist.loadTest(debianOnly);

        assertThat(test.count()).isEqualTo(10_000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        assertThat(test.images()).hasSize(10_000 * 784);
        assertThat(test.classCounts()).containsOnly(1000);
    }

    @Test
    void firstTestImageIsAnAnkleBoot() throws IOException {
        FashionMnist test = FashionMnist.loadTest(debianOnly, 10);

        assertThat(test.label(0)).isEqualTo(9);
        assertThat(FashionMnist.className(test.label(0))).isEqualTo("Ankle boot");
        assertThat(test.labels()).containsExactly(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
    }

    @Test
    void testPixelsAreInUnitRangeWithThePublishedMean() throws IOException {
        FashionMnist test = FashionMnist.loadTest(debianOnly);

        double sum = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : test.images()) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isEqualTo(0f);
        assertThat(max).isEqualTo(1f);
        // Mean pixel of the test set is 73.15 of 255.
        assertThat(sum / test.images().length).isBetween(73.0 / 255, 73.3 / 255);
    }

    @Test
    void debianFilesHashToThePublishedChecksums() throws IOException {
        for (FashionMnistFile f : FashionMnistFile.values()) {
            assertThat(IdxTestFiles.sha256(DIR.resolve(f.fileName()))).as(f.fileName()).isEqualTo(f.sha256());
        }
    }

    @Test
    void trainingSetDeclaresSixtyThousandImages() throws IOException {
        FashionMnist firstHundred = FashionMnist.loadTrain(debianOnly, 100);

        assertThat(firstHundred.count()).isEqualTo(100);
        try (IdxReader images = IdxReader.openImages(DIR.resolve(FashionMnistFile.TRAIN_IMAGES.fileName()))) {
            assertThat(images.count()).isEqualTo(60_000);
        }
    }
}
