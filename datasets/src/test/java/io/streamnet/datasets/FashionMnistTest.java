package io.streamnet.datasets;

import static io.streamnet.datasets.IdxTestFiles.PIXELS;
import static io.streamnet.datasets.IdxTestFiles.imagesIdx;
import static io.streamnet.datasets.IdxTestFiles.labelsIdx;
import static io.streamnet.datasets.IdxTestFiles.patternPixels;
import static io.streamnet.datasets.IdxTestFiles.pixel;
import static io.streamnet.datasets.IdxTestFiles.writeGzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;
    Path images;
    Path labels;

    @BeforeEach
    void fiveSyntheticImages() throws IOException {
        images = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, patternPixels(5)));
        labels = writeGzip(dir.resolve("labels.gz"), labelsIdx(IdxReader.LABELS_MAGIC, 5, new byte[] {9, 0, 0, 3, 7}));
    }

    @Test
    void readsCountDimensionsAndLabels() throws IOException {
        FashionMnist data = FashionMnist.read(images, labels, FashionMnist.ALL);

        assertThat(data.count()).isEqualTo(5);
        assertThat(data.rows()).isEqualTo(28);
        assertThat(data.cols()).isEqualTo(28);
        assertThat(data.labels()).containsExactly(9, 0, 0, 3, 7);
    }

    @Test
    void normalisesPixelsToUnitRange() throws IOException {
        FashionMnist data = FashionMnist.read(images, labels, FashionMnist.ALL);

        float[] x = data.images();
        assertThat(x).hasSize(5 * PIXELS);
        for (int i = 0; i < x.length; i++) {
            assertThat(x[i]).isEqualTo(pixel(i / PIXELS, i % PIXELS) / 255f);
        }
        assertThat(x[0]).isEqualTo(0f);          // pixel 0 of image 0 is 0
        assertThat(x[255]).isEqualTo(1f);        // pixel 255 of image 0 is 255
    }

    @Test
    void keepsRawUnsignedPixelBytes() throws IOException {
        FashionMnist data = FashionMnist.read(images, labels, FashionMnist.ALL);

        assertThat(data.pixels()).isEqualTo(patternPixels(5));
        assertThat(data.pixels()[255] & 0xFF).isEqualTo(255);
    }

    @Test
    void viewsImagesAsBatchTensorsWithoutCopying() throws IOException {
        FashionMnist data = FashionMnist.read(images, labels, FashionMnist.ALL);

        Tensor flat = data.imagesFlat();
        Tensor nchw = data.imagesNchw();
        assertThat(flat.shape()).containsExactly(5, 784);
        assertThat(nchw.shape()).containsExactly(5, 1, 28, 28);
        assertThat(flat.data()).isSameAs(data.images());
        assertThat(nchw.data()).isSameAs(data.images());
        // image 2, row 3, column 4 sits at 2*784 + 3*28 + 4
        assertThat(data.image(2).get(3, 4)).isEqualTo(pixel(2, 3 * 28 + 4) / 255f);
    }

    @Test
    void limitLoadsOnlyTheFirstImages() throws IOException {
        FashionMnist data = FashionMnist.read(images, labels, 2);

        assertThat(data.count()).isEqualTo(2);
        assertThat(data.images()).hasSize(2 * PIXELS);
        assertThat(data.labels()).containsExactly(9, 0);
    }

    @Test
    void limitAboveTheCountLoadsEverything() throws IOException {
        assertThat(FashionMnist.read(images, labels, 1000).count()).isEqualTo(5);
    }

    @Test
    void rejectsLabelCountDifferentFromImageCount() throws IOException {
        Path fourLabels = writeGzip(dir.resolve("four.gz"), labelsIdx(IdxReader.LABELS_MAGIC, 4, new byte[] {1, 2, 3, 4}));

        assertThatThrownBy(() -> FashionMnist.read(images, fourLabels, FashionMnist.ALL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("count mismatch")
                .hasMessageContaining(images + " holds 5 images")
                .hasMessageContaining(fourLabels + " holds 4 labels");
    }

    @Test
    void rejectsLabelOutsideTheTenClasses() throws IOException {
        Path badLabels = writeGzip(dir.resolve("bad.gz"), labelsIdx(IdxReader.LABELS_MAGIC, 5, new byte[] {1, 2, 10, 4, 5}));

        assertThatThrownBy(() -> FashionMnist.read(images, badLabels, FashionMnist.ALL))
                .hasMessageContaining(badLabels.toString())
                .hasMessageContaining("label 10 at index 2");
    }

    @Test
    void subsetCopiesTheRequestedRange() throws IOException {
        FashionMnist data = FashionMnist.read(images, labels, FashionMnist.ALL);

        FashionMnist middle = data.subset(1, 4);

        assertThat(middle.count()).isEqualTo(3);
        assertThat(middle.labels()).containsExactly(0, 0, 3);
        assertThat(middle.images()[0]).isEqualTo(data.images()[PIXELS]);
        assertThat(middle.pixels()).hasSize(3 * PIXELS);
    }

    @Test
    void countsImagesPerClass() throws IOException {
        int[] counts = FashionMnist.read(images, labels, FashionMnist.ALL).classCounts();

        assertThat(counts).containsExactly(2, 0, 0, 1, 0, 0, 0, 1, 0, 1);
    }

    @Test
    void namesTheTenClassesInLabelOrder() {
        assertThat(FashionMnist.CLASS_NAMES).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress",
                "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(FashionMnist.className(9)).isEqualTo("Ankle boot");
    }
}
