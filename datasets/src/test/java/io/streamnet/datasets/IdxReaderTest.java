package io.streamnet.datasets;

import static io.streamnet.datasets.IdxTestFiles.gzip;
import static io.streamnet.datasets.IdxTestFiles.imagesIdx;
import static io.streamnet.datasets.IdxTestFiles.labelsIdx;
import static io.streamnet.datasets.IdxTestFiles.patternPixels;
import static io.streamnet.datasets.IdxTestFiles.writeGzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsImageHeaderCountAndDimensions() throws IOException {
        Path file = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, patternPixels(5)));

        try (IdxReader reader = IdxReader.openImages(file)) {
            assertThat(reader.count()).isEqualTo(5);
            assertThat(reader.rows()).isEqualTo(28);
            assertThat(reader.cols()).isEqualTo(28);
            assertThat(reader.itemSize()).isEqualTo(784);
        }
    }

    @Test
    void readsPixelBytesInFileOrder() throws IOException {
        byte[] pixels = patternPixels(5);
        Path file = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, pixels));

        try (IdxReader reader = IdxReader.openImages(file)) {
            assertThat(reader.readItems(5)).isEqualTo(pixels);
        }
    }

    @Test
    void readsLabelsAsOneBytePerItem() throws IOException {
        Path file = writeGzip(dir.resolve("labels.gz"), labelsIdx(IdxReader.LABELS_MAGIC, 3, new byte[] {9, 0, 3}));

        try (IdxReader reader = IdxReader.openLabels(file)) {
            assertThat(reader.count()).isEqualTo(3);
            assertThat(reader.itemSize()).isEqualTo(1);
            assertThat(reader.readItems(3)).containsExactly(9, 0, 3);
        }
    }

    @Test
    void readsItemsInConsecutiveChunks() throws IOException {
        byte[] pixels = patternPixels(5);
        Path file = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, pixels));

        try (IdxReader reader = IdxReader.openImages(file)) {
            assertThat(reader.readItems(2)).isEqualTo(Arrays.copyOfRange(pixels, 0, 2 * 784));
            assertThat(reader.remaining()).isEqualTo(3);
            assertThat(reader.readItems(3)).isEqualTo(Arrays.copyOfRange(pixels, 2 * 784, 5 * 784));
        }
    }

    @Test
    void rejectsWrongMagicNamingFileAndBothValues() throws IOException {
        Path file = writeGzip(dir.resolve("labels-as-images.gz"), labelsIdx(IdxReader.LABELS_MAGIC, 1, new byte[] {1}));

        assertThatThrownBy(() -> IdxReader.openImages(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("bad IDX magic 0x00000801")
                .hasMessageContaining("expected 0x00000803");
    }

    @Test
    void rejectsNonPositiveImageDimensions() throws IOException {
        Path file = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 1, 0, 28, new byte[0]));

        assertThatThrownBy(() -> IdxReader.openImages(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("implausible image size 0x28");
    }

    @Test
    void rejectsImplausiblyLargeImageDimensions() throws IOException {
        Path file = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 1, 28, 1 << 20, new byte[0]));

        assertThatThrownBy(() -> IdxReader.openImages(file))
                .hasMessageContaining("implausible image size 28x1048576");
    }

    @Test
    void rejectsNegativeCount() throws IOException {
        Path file = writeGzip(dir.resolve("labels.gz"), labelsIdx(IdxReader.LABELS_MAGIC, -1, new byte[0]));

        assertThatThrownBy(() -> IdxReader.openLabels(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("negative item count -1");
    }

    @Test
    void rejectsDataShorterThanTheHeaderDeclares() throws IOException {
        // Header says 5 images, the file holds 3 and a half.
        byte[] short3AndAHalf = Arrays.copyOf(patternPixels(5), 3 * 784 + 392);
        Path file = writeGzip(dir.resolve("images.gz"), imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, short3AndAHalf));

        try (IdxReader reader = IdxReader.openImages(file)) {
            assertThatThrownBy(() -> reader.readItems(5))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("truncated")
                    .hasMessageContaining("declares 5 items")
                    .hasMessageContaining("ended after 3 items");
        }
    }

    @Test
    void rejectsHeaderCutShort() throws IOException {
        byte[] header = Arrays.copyOf(imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, new byte[0]), 10);
        Path file = writeGzip(dir.resolve("images.gz"), header);

        assertThatThrownBy(() -> IdxReader.openImages(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("ended inside the IDX header");
    }

    @Test
    void rejectsGzipStreamCutOffMidway() throws IOException {
        // Random pixels barely compress, so half the .gz still holds the header and some data.
        byte[] noise = new byte[5 * 784];
        new Random(42).nextBytes(noise);
        byte[] gz = gzip(imagesIdx(IdxReader.IMAGES_MAGIC, 5, 28, 28, noise));
        Path file = Files.write(dir.resolve("images.gz"), Arrays.copyOf(gz, gz.length / 2));

        try (IdxReader reader = IdxReader.openImages(file)) {
            assertThatThrownBy(() -> reader.readItems(5))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("corrupt or cut off");
        }
    }

    @Test
    void rejectsUncompressedFile() throws IOException {
        Path file = Files.write(dir.resolve("images"), imagesIdx(IdxReader.IMAGES_MAGIC, 1, 28, 28, patternPixels(1)));

        assertThatThrownBy(() -> IdxReader.openImages(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a gzip file");
    }

    @Test
    void refusesToReadMoreItemsThanRemain() throws IOException {
        Path file = writeGzip(dir.resolve("labels.gz"), labelsIdx(IdxReader.LABELS_MAGIC, 2, new byte[] {1, 2}));

        try (IdxReader reader = IdxReader.openLabels(file)) {
            assertThatThrownBy(() -> reader.readItems(3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2 of 2 remain");
        }
    }
}
